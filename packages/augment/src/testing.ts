import type { Rng } from '@fmnist/random';

/** An Rng that returns scripted values: `next`/`uniform` from `fractions`, `int` from `integers`. */
export function scriptedRng(fractions: number[], integers: number[] = []): Rng {
  let f = 0;
  let i = 0;
  return {
    next: () => fractions[f++ % fractions.length]!,
    int: () => integers[i++ % integers.length]!,
    uniform: (low, high) => low + (high - low) * fractions[f++ % fractions.length]!,
    state: 0,
  };
}

/** A 1-channel batch whose pixel values are `values`, row-major. */
export function grey(values: number[][], n = 1) {
  const h = values.length;
  const w = values[0]!.length;
  const data = new Uint8Array(n * h * w);
  for (let k = 0; k < n; k++) data.set(values.flat(), k * h * w);
  return { data, shape: [n, h, w, 1] as [number, number, number, number] };
}

export const rows = (data: ArrayLike<number>, h: number, w: number, offset = 0) =>
  Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => data[offset + y * w + x]!));

import type { Rng } from '@fmnist/random';
import { AugmentError } from './errors.js';
import { type ImageBatch, like } from './image-batch.js';
import type { Transform } from './transform.js';

/** A factor range: f → [1 - f, 1 + f], or [low, high]. */
export type FactorRange = number | readonly [number, number];

function bounds(name: string, range: FactorRange): [number, number] {
  const [low, high] = typeof range === 'number' ? [1 - range, 1 + range] : range;
  if (
    (typeof range === 'number' && !(range >= 0)) ||
    !(low! >= 0) ||
    !(high! >= low!) ||
    !Number.isFinite(high)
  ) {
    throw new AugmentError(
      `${name}: range must be a factor f ≥ 0 or [low, high] with 0 ≤ low ≤ high, got ${JSON.stringify(range)}`,
    );
  }
  return [low!, high!];
}

function perImage(
  name: string,
  range: FactorRange,
  map: (
    pixels: ArrayLike<number>,
    factor: number,
    start: number,
    size: number,
    channels: number,
  ) => (index: number) => number,
): Transform {
  const [low, high] = bounds(name, range);
  return {
    name,
    spec: { type: name, options: { range } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      const rounding = out.data instanceof Uint8Array;
      for (let i = 0; i < n; i++) {
        const value = map(batch.data, rng.uniform(low, high), i * size, size, c);
        for (let p = i * size; p < (i + 1) * size; p++) {
          const v = value(p);
          out.data[p] = rounding ? Math.min(255, Math.max(0, Math.round(v))) : v;
        }
      }
      return out;
    },
  };
}

/** Multiplies each image by a factor drawn from `range` (ImageDataGenerator's `brightness_range`). */
export function randomBrightness(range: FactorRange): Transform {
  return perImage('randomBrightness', range, (pixels, factor) => (p) => pixels[p]! * factor);
}

/** Scales each image's deviation from its per-channel mean by a factor from `range` (Keras RandomContrast). */
export function randomContrast(range: FactorRange): Transform {
  return perImage('randomContrast', range, (pixels, factor, start, size, channels) => {
    const means = new Float64Array(channels);
    for (let p = 0; p < size; p++) means[p % channels]! += pixels[start + p]!;
    for (let k = 0; k < channels; k++) means[k]! /= size / channels;
    return (p) => (pixels[p]! - means[(p - start) % channels]!) * factor + means[(p - start) % channels]!;
  });
}

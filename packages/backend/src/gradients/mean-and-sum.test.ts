import { describe, expect, it } from 'vitest';
import { onBackend, randomArray, tf } from '../testing/tf.js';

type Case = { shape: number[]; axis: number | number[] | null; keepDims: boolean };

// BatchNorm's statistics (leading axes), global pooling (middle axes), a loss's last axis, everything,
// negative axes and kept dimensions.
const cases: Case[] = [
  { shape: [4, 5, 5, 3], axis: [0, 1, 2], keepDims: false },
  { shape: [2, 3, 3, 4], axis: [1, 2], keepDims: false },
  { shape: [6, 10], axis: -1, keepDims: true },
  { shape: [3, 4, 5], axis: null, keepDims: false },
  { shape: [3, 4, 5], axis: [-1, 0], keepDims: true },
  // An empty input: the gradient keeps x's shape.
  { shape: [0, 3], axis: 0, keepDims: false },
];

/** dx of sum(reduce(x) * w): w at each element's reduced position, divided by the count for Mean. */
function reducedAxes(c: Case): number[] {
  const rank = c.shape.length;
  if (c.axis === null) return c.shape.map((_, i) => i);
  return (Array.isArray(c.axis) ? c.axis : [c.axis]).map((a) => (a + rank) % rank);
}

function outputShape(c: Case): number[] {
  const axes = reducedAxes(c);
  return c.shape.flatMap((size, i) => (!axes.includes(i) ? [size] : c.keepDims ? [1] : []));
}

function expected(c: Case, w: Float32Array, kernel: 'mean' | 'sum'): Float32Array {
  const rank = c.shape.length;
  const axes = reducedAxes(c);
  const count = axes.reduce((n, a) => n * c.shape[a]!, 1);
  const size = c.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    let outIndex = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coordinate = rest % c.shape[d]!;
      rest = Math.floor(rest / c.shape[d]!);
      if (!axes.includes(d)) {
        outIndex += coordinate * stride;
        stride *= c.shape[d]!;
      }
    }
    out[i] = kernel === 'mean' ? w[outIndex]! / count : w[outIndex]!;
  }
  return out;
}

describe('Mean and Sum gradients', () => {
  it.each(cases)(
    'spread dy back over axis $axis of $shape (keepDims $keepDims) on cpu and wasm',
    async (c) => {
      const x = randomArray(
        c.shape.reduce((a, b) => a * b, 1),
        1,
      );
      for (const kernel of ['mean', 'sum'] as const) {
        const outShape = outputShape(c);
        const w = randomArray(
          outShape.reduce((a, b) => a * b, 1),
          2,
        );
        for (const backend of ['cpu', 'wasm']) {
          const [dx] = await onBackend(backend, () => [
            tf.grad((t: tf.Tensor) =>
              tf.sum(tf.mul(tf[kernel](t, c.axis ?? undefined, c.keepDims), tf.tensor(w, outShape))),
            )(tf.tensor(x, c.shape)),
          ]);
          // Bit for bit what tfjs-core's own gradient gives: dy * 1 / count.
          expect(dx, `${kernel} on ${backend}`).toEqual(expected(c, w, kernel));
        }
      }
    },
  );

  it('leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomUniform([4, 6, 6, 8]);
    const step = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mean(t, [0, 1, 2])))(x));
    step().dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step().dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

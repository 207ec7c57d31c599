import { describe, expect, it } from 'vitest';
import { maxRelativeDifference, onBackend, randomArray, tf } from '../testing/tf.js';

type Case = { x: number[]; stats: number[]; scale: number[] };

// The gradient of batchNorm against autodiff of the same formula written with elementary ops (on wasm,
// per-channel statistics run our SIMD kernels forward and backward: 5, 6 and 32 channels cover their
// vector and scalar paths).
const cases: Case[] = [
  { x: [8, 5, 5, 6], stats: [6], scale: [6] },
  { x: [4, 7], stats: [4, 7], scale: [4, 7] },
  { x: [3, 4, 5], stats: [5], scale: [5] },
  { x: [2, 3, 3, 32], stats: [32], scale: [32] },
];

describe('FusedBatchNorm gradient', () => {
  it.each(cases)(
    'matches autodiff of the formula for x $x, mean/variance $stats, scale $scale',
    async (c) => {
      const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
      const xs = randomArray(size(c.x), 1);
      const mean = randomArray(size(c.stats), 2);
      const variance = randomArray(size(c.stats), 3).map((v) => v + 0.6);
      const offset = randomArray(size(c.stats), 4);
      const scale = randomArray(size(c.scale), 5);
      const weights = randomArray(size(c.x), 6);
      for (const backend of ['cpu', 'wasm']) {
        const grads = (fused: boolean) =>
          onBackend(backend, () => {
            const inputs = [
              tf.tensor(xs, c.x),
              tf.tensor(mean, c.stats),
              tf.tensor(variance, c.stats),
              tf.tensor(offset, c.stats),
              tf.tensor(scale, c.scale),
            ];
            const w = tf.tensor(weights, c.x);
            const f = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => {
              const y = fused
                ? tf.batchNorm(x, m, v, o, s, 1e-3)
                : tf.add(tf.mul(tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, 1e-3))), s), o);
              return tf.sum(tf.mul(y, w));
            };
            const out = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)(inputs);
            tf.dispose([...inputs, w]);
            return out;
          });
        const [got, want] = [await grads(true), await grads(false)];
        got.forEach((g, i) =>
          expect(maxRelativeDifference(want[i]!, g), `${backend} input ${i}`).toBeLessThan(1e-5),
        );
      }
    },
  );
});

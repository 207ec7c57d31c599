import { getKernel } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tf } from '../testing/tf.js';

// The reference is the cpu backend's MaxPoolGrad, for separate, overlapping and padded windows: tfjs-wasm
// 4.22's own kernel disagrees with it there when values tie.
describe('MaxPoolGrad on wasm', () => {
  it.each([
    [[2, 9, 9, 3], 3, 3, 'valid'],
    [[2, 28, 28, 4], 3, 3, 'valid'],
    [[1, 7, 8, 2], 2, 2, 'valid'],
    [[2, 9, 9, 3], 3, 2, 'same'],
    [[1, 7, 8, 2], 3, 1, 'valid'],
    [[2, 5, 5, 4], 2, 2, 'same'],
    [[1, 8, 8, 3], 3, 1, 'same'],
  ] as const)(
    'matches cpu for input %j, window %i, stride %i, %s, ties included',
    async (shape, size, stride, pad) => {
      // Small integers make ties common: the first maximum of each window must get the gradient.
      const count = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: count }, (_, i) => (i * 7919) % 5);
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(values, shape as unknown as [number, number, number, number]);
          // Distinct weights per output, so each window's gradient is traceable.
          const f = (input: tf.Tensor4D) => {
            const pooled = tf.maxPool(input, size, stride, pad);
            return tf.sum(
              tf.mul(pooled, tf.reshape(tf.range(1, pooled.size + 1, 1, 'float32'), pooled.shape)),
            );
          };
          return Array.from(
            tf
              .grad(f as (t: tf.Tensor) => tf.Tensor)(x)
              .dataSync(),
          );
        });
      };
      expect(await run('wasm')).toEqual(await run('cpu'));
      expect(getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    },
  );
});

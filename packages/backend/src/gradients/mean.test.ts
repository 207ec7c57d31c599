import { describe, expect, it } from 'vitest';
import { onBackend, randomArray, tf } from '../testing/tf.js';

type Case = { shape: number[]; axis: number | number[]; keepDims: boolean };

// Leading axes (batch normalization's moments), middle axes (global average pooling), the last axis,
// every axis, negative axes; with and without keepDims.
const cases: Case[] = [
  { shape: [4, 6, 6, 32], axis: [0, 1, 2], keepDims: false },
  { shape: [3, 5, 5, 7], axis: [1, 2], keepDims: true },
  { shape: [3, 5, 5, 7], axis: [1, 2], keepDims: false },
  { shape: [2, 3, 5], axis: -1, keepDims: false },
  { shape: [2, 3, 5], axis: [0, 1, 2], keepDims: false },
  { shape: [7, 3], axis: 0, keepDims: true },
];

/** dy / n broadcast, as tfjs-core's Mean gradient writes it: dy * ones(x.shape) / n. */
function formula(c: Case, dy: Float32Array) {
  const axes = tf.util.parseAxisParam(c.axis, c.shape);
  const expanded = c.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
  const n = tf.util.sizeFromShape(axes.map((axis) => c.shape[axis]!));
  return tf.div(tf.mul(tf.tensor(dy, expanded), tf.ones(c.shape)), n);
}

describe('Mean gradient', () => {
  it.each(cases)('is tfjs-core formula bit for bit: x $shape, axis $axis, keepDims $keepDims', async (c) => {
    const size = tf.util.sizeFromShape(c.shape);
    const x = randomArray(size, 1);
    const outSize =
      size / tf.util.sizeFromShape(tf.util.parseAxisParam(c.axis, c.shape).map((a) => c.shape[a]!));
    const dy = randomArray(outSize, 2).map((v) => v * 1e3);
    for (const backend of ['cpu', 'wasm']) {
      const [ours, want] = await onBackend(backend, () =>
        tf.tidy(() => {
          const f = (t: tf.Tensor) => {
            const m = tf.mean(t, c.axis, c.keepDims);
            return tf.sum(tf.mul(m, tf.tensor(dy, m.shape)));
          };
          return [tf.grad(f)(tf.tensor(x, c.shape)), formula(c, dy)];
        }),
      );
      expect(ours, backend).toEqual(want);
    }
  });

  it('frees what it makes', async () => {
    const run = () =>
      onBackend('wasm', () => [
        tf.tidy(() => tf.grad((t: tf.Tensor) => tf.mean(t, [0, 1]))(tf.ones([3, 4, 5]))),
      ]);
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });
});

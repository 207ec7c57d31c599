import { describe, expect, it } from 'vitest';
import { maxRelativeDifference, onBackend, randomArray, tf } from '../testing/tf.js';
import { batchNormMoments, batchNormRelu, batchNormTrainingGradient } from './fmnist-batch-norm-training.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
// 5, 6, 7 and 33 channels cover the kernels' vector and scalar paths; 50,960 rows (199 blocks of 256 and
// a part) with a mean far from zero, the accuracy of their sums.
const shapes = [
  [8, 5, 5, 6],
  [4, 7],
  [3, 4, 5],
  [2, 3, 3, 33],
  [65, 28, 28, 4],
];
const inputOf = (shape: number[]) =>
  randomArray(size(shape), shape.length).map((v, i) => v * 3 + (i % 3) + 10);

/** Mean and biased variance per last-axis channel, in float64. */
function momentsOf(x: Float32Array, channels: number) {
  const rows = x.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels]! += x[i]! / rows;
  for (let i = 0; i < x.length; i++) variance[i % channels]! += (x[i]! - mean[i % channels]!) ** 2 / rows;
  return { mean: Float32Array.from(mean), variance: Float32Array.from(variance) };
}

describe('batchNormMoments', () => {
  it.each(shapes)('gives the batch mean and biased variance per channel of x %j', async (...shape) => {
    const values = inputOf(shape);
    const want = momentsOf(values, shape.at(-1)!);
    await tf.setBackend('wasm');
    const x = tf.tensor(values, shape);
    const before = tf.memory().numTensors;
    const got = batchNormMoments(x)!;
    expect(got.mean.shape).toEqual([shape.at(-1)]);
    expect(maxRelativeDifference(want.mean, got.mean.dataSync() as Float32Array)).toBeLessThan(1e-6);
    expect(maxRelativeDifference(want.variance, got.variance.dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(tf.memory().numTensors).toBe(before + 2);
    tf.dispose([x, got.mean, got.variance]);
  });

  it('leaves other backends and other dtypes to the caller', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([2, 3]);
    expect(batchNormMoments(x)).toBeUndefined();
    await tf.setBackend('wasm');
    const ints = tf.ones([2, 3], 'int32');
    expect(batchNormMoments(ints)).toBeUndefined();
    tf.dispose([x, ints]);
  });
});

describe('batchNormTrainingGradient', () => {
  // Autodiff (cpu) of BatchNorm written with elementary ops, the statistics taken from the batch.
  function reference(shape: number[], withScale: boolean, epsilon: number, relu = false) {
    const axes = shape.slice(0, -1).map((_, i) => i);
    return onBackend('cpu', () => {
      const x = tf.tensor(inputOf(shape), shape);
      const scale = tf.tensor(randomArray(shape.at(-1)!, 7).map((v) => v + 1));
      const offset = tf.tensor(randomArray(shape.at(-1)!, 8));
      const w = tf.tensor(randomArray(size(shape), 9), shape);
      const f = (input: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(input, axes);
        const normed = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, epsilon)));
        // Without a scale, s still takes part (times 0) so that tf.grads has a path to it.
        const factor = withScale ? s : tf.add(tf.mul(s, 0), 1);
        const out = tf.add(tf.mul(normed, factor), o);
        return tf.sum(tf.mul(relu ? tf.relu(out) : out, w));
      };
      const grads = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([x, scale, offset]);
      tf.dispose([x, scale, offset, w]);
      return grads;
    });
  }

  it.each(shapes)('gives autodiff of BatchNorm with batch statistics for x %j', async (...shape) => {
    for (const withScale of [true, false]) {
      const want = await reference(shape, withScale, 1e-3);
      await tf.setBackend('wasm');
      const x = tf.tensor(inputOf(shape), shape);
      const dy = tf.tensor(randomArray(size(shape), 9), shape);
      const scale = tf.tensor(randomArray(shape.at(-1)!, 7).map((v) => v + 1));
      const { mean, variance } = batchNormMoments(x)!;
      const before = tf.memory().numTensors;
      const got = batchNormTrainingGradient(x, dy, mean, variance, withScale ? scale : undefined, 1e-3)!;
      expect(tf.memory().numTensors).toBe(before + 3);
      expect(got.dx.shape).toEqual(shape);
      const values = [got.dx, got.dScale, got.dOffset].map((t) => t.dataSync() as Float32Array);
      // Without a scale there is no scale gradient to compare (autodiff gives none).
      (withScale ? [0, 1, 2] : [0, 2]).forEach((i) =>
        expect(maxRelativeDifference(want[i]!, values[i]!), `output ${i}, scale ${withScale}`).toBeLessThan(
          1e-5,
        ),
      );
      tf.dispose([x, dy, scale, mean, variance, got.dx, got.dScale, got.dOffset]);
    }
  });

  it.each(shapes)('goes through a ReLU after BatchNorm given its output, for x %j', async (...shape) => {
    for (const withScale of [true, false]) {
      const want = await reference(shape, withScale, 1e-3, true);
      await tf.setBackend('wasm');
      const x = tf.tensor(inputOf(shape), shape);
      const dy = tf.tensor(randomArray(size(shape), 9), shape);
      const scale = withScale ? tf.tensor(randomArray(shape.at(-1)!, 7).map((v) => v + 1)) : undefined;
      const offset = tf.tensor(randomArray(shape.at(-1)!, 8));
      const { mean, variance } = batchNormMoments(x)!;
      const y = batchNormRelu(x, mean, variance, offset, scale, 1e-3)!;
      const expected = tf.relu(tf.batchNorm(x, mean, variance, offset, scale, 1e-3)).dataSync();
      const values = y.dataSync();
      // The first difference, not a diff of 200,000 values.
      expect(expected.findIndex((value, i) => value !== values[i])).toBe(-1);
      const got = batchNormTrainingGradient(x, dy, mean, variance, scale, 1e-3, y)!;
      (withScale ? [0, 1, 2] : [0, 2]).forEach((i) => {
        const output = [got.dx, got.dScale, got.dOffset][i]!.dataSync() as Float32Array;
        expect(maxRelativeDifference(want[i]!, output), `output ${i}, scale ${withScale}`).toBeLessThan(1e-5);
      });
      tf.dispose([
        x,
        dy,
        offset,
        mean,
        variance,
        y,
        got.dx,
        got.dScale,
        got.dOffset,
        ...(scale ? [scale] : []),
      ]);
    }
  });

  it('leaves statistics that are not one per channel, and other backends, to the caller', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([2, 3, 4]);
    const stats = tf.ones([1, 1, 4]);
    expect(batchNormTrainingGradient(x, x, stats, stats, undefined, 1e-3)).toBeUndefined();
    const wrongDy = tf.ones([2, 3, 2]);
    const channel = tf.ones([4]);
    expect(batchNormTrainingGradient(x, wrongDy, channel, channel, undefined, 1e-3)).toBeUndefined();
    expect(batchNormTrainingGradient(x, x, channel, channel, undefined, 1e-3, wrongDy)).toBeUndefined();
    expect(batchNormRelu(x, stats, stats, undefined, undefined, 1e-3)).toBeUndefined();
    tf.dispose([x, stats, wrongDy, channel]);
    await tf.setBackend('cpu');
    const cpuX = tf.ones([2, 4]);
    const cpuChannel = tf.ones([4]);
    expect(batchNormTrainingGradient(cpuX, cpuX, cpuChannel, cpuChannel, undefined, 1e-3)).toBeUndefined();
    expect(batchNormRelu(cpuX, cpuChannel, cpuChannel, undefined, undefined, 1e-3)).toBeUndefined();
    tf.dispose([cpuX, cpuChannel]);
  });
});

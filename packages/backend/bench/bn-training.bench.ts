// BatchNorm in training, forward and backward of one layer at the `vgg` model's three shapes (64-image
// shard), two ways: tfjs-layers' path (tf.moments then tf.batchNorm; autodiff goes back through the
// moments: ~10 passes over the activations and ~17 kernels) and a custom gradient of the whole layer
// (our FmnistBatchNormGradient kernel, then one per-channel affine pass and an add). It measures what a
// fused training BatchNorm would save (issue 32); nothing ships the second way yet. One JSON line per
// shape and way, with the largest relative difference of the fused gradients from tfjs-layers' path.
// Run alone: `tsx --conditions=fmnist-source bench/bn-training.bench.ts`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBestBackend } from '../src/index.js';

const EPSILON = 1e-3; // tfjs-layers' BatchNormalization default
const SHAPES = [
  [64, 28, 28, 32],
  [64, 14, 14, 64],
  [64, 7, 7, 128],
];
const RUNS = 10;

await useBestBackend('wasm', { log: null });

type Layer = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;

const layersPath: Layer = (x, gamma, beta) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, EPSILON);
};

// dx = factor*dy - factor*Σdy/n - (x - mean) * factor*inv²*Σdy(x - mean)/n, factor = gamma*inv.
const fusedPath = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const mean = tf.mean(x, [0, 1, 2]);
  const variance = tf.mean(tf.squaredDifference(x, mean), [0, 1, 2]);
  save([x, mean, variance, gamma]);
  return {
    value: tf.batchNorm(x, mean, variance, beta, gamma, EPSILON),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [sx, m, v, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const count = sx.size / m.size;
      const inv = tf.rsqrt(tf.add(v, EPSILON));
      const factor = tf.mul(g, inv);
      const [scaled, sums] = tf
        .engine()
        .runKernel('FmnistBatchNormGradient', { x: sx, dy: dy as tf.Tensor, mean: m, factor }) as tf.Tensor[];
      const [sumDy, sumDyXMinusMean] = tf.unstack(sums!) as [tf.Tensor, tf.Tensor];
      const shift = tf.neg(tf.div(tf.mul(factor, sumDy), count));
      const slope = tf.neg(tf.div(tf.mul(tf.mul(factor, tf.square(inv)), sumDyXMinusMean), count));
      // (x - mean) * slope + shift in one per-channel pass: a batchNorm whose variance makes inv ≈ 1.
      const affine = tf.batchNorm(sx, m, tf.fill(m.shape, 1 - EPSILON), shift, slope, EPSILON);
      return [tf.add(scaled!, affine), tf.mul(inv, sumDyXMinusMean), sumDy];
    },
  };
}) as unknown as Layer;

function maxRelativeDifference(want: Float32Array, got: Float32Array): number {
  let scale = 1e-6;
  let diff = 0;
  want.forEach((w, i) => {
    scale = Math.max(scale, Math.abs(w));
    diff = Math.max(diff, Math.abs(w - got[i]!));
  });
  return diff / scale;
}

for (const shape of SHAPES) {
  const channels = shape[3]!;
  const x = tf.randomNormal(shape);
  const weights = tf.randomNormal(shape);
  const gamma = tf.randomUniform([channels], 0.5, 1.5);
  const beta = tf.randomNormal([channels]);
  const grads = (layer: Layer) =>
    tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layer(a, g, b), weights)))([
      x,
      gamma,
      beta,
    ]);
  const values = (layer: Layer) => tf.tidy(() => grads(layer).map((t) => t.dataSync() as Float32Array));
  const want = values(layersPath);
  const got = values(fusedPath);
  for (const [way, layer] of [
    ['layers', layersPath],
    ['fused', fusedPath],
  ] as const) {
    for (let i = 0; i < 3; i++) tf.dispose(tf.tidy(() => grads(layer)));
    const started = performance.now();
    for (let i = 0; i < RUNS; i++) tf.tidy(() => void grads(layer)[0]!.dataSync());
    const ms = (performance.now() - started) / RUNS;
    console.log(
      JSON.stringify({
        name: `batchNorm.training.${way}`,
        value: Number(ms.toFixed(2)),
        unit: 'ms',
        shape,
        ...(way === 'fused'
          ? { maxRelativeDifference: got.map((g, i) => maxRelativeDifference(want[i]!, g)) }
          : {}),
        node: process.version,
      }),
    );
  }
  tf.dispose([x, weights, gamma, beta]);
}

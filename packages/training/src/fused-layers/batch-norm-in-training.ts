import { batchNormMoments, batchNormRelu, batchNormTrainingGradient } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import { reluGradientFromOutput } from './relu-gradient-from-output.js';

interface BatchNormInTraining {
  normed: tf.Tensor;
  /** The batch's mean and (biased) variance per channel, as tfjs-layers' moving averages take them. */
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * BatchNorm over every axis but the last, in training: the forward pass of tfjs-layers' (tf.moments then
 * tf.batchNorm), with one gradient for the whole layer instead of
 * autodiff back through the moments (about ten passes over the activations and seventeen kernels).
 * On wasm with @fmnist/backend's kernels, that gradient is one kernel of two passes. Elsewhere it
 * is the backend's registered FusedBatchNorm gradient, taken with mean and variance as
 * inputs, plus what flows back through them: dMean/n + 2·dVariance·(x − mean)/n, one per-channel affine
 * pass (Σ(x − mean) is zero, so the variance's own dependence on the mean adds nothing).
 * With `relu`, a ReLU follows in the same custom gradient: on wasm, one pass forward and no pass of its
 * own backward (the gradient kernel masks dy by the output).
 */
export function batchNormInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  { relu = false }: { relu?: boolean } = {},
): BatchNormInTraining {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  // Outside the custom gradient, so they are on the tape but lead only to the moving averages: the
  // backward pass skips them. On wasm, one kernel of @fmnist/backend computes both.
  const moments = batchNormMoments(x);
  const mean = moments?.mean ?? tf.mean(x, axes);
  const variance = moments?.variance ?? tf.mean(tf.squaredDifference(x, mean), axes);
  const layer = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const value = relu
      ? (batchNormRelu(input, mean, variance, offset, scale, epsilon) ??
        tf.relu(tf.batchNorm(input, mean, variance, offset, scale, epsilon)))
      : tf.batchNorm(input, mean, variance, offset, scale, epsilon);
    save(relu ? [input, mean, variance, scale, value] : [input, mean, variance, scale]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        batchNormInTrainingGradient(dy as tf.Tensor, saved, epsilon),
    };
  });
  return { normed: layer(x, gamma, beta), mean, variance };
}

function batchNormInTrainingGradient(
  outputGradient: tf.Tensor,
  saved: tf.Tensor[],
  epsilon: number,
): tf.Tensor[] {
  const [input, mean, variance, scale, reluOutput] = saved as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor | undefined,
  ];
  const fused = batchNormTrainingGradient(input, outputGradient, mean, variance, scale, epsilon, reluOutput);
  if (fused) return [fused.dx, fused.dScale, fused.dOffset];
  const dy = reluOutput ? reluGradientFromOutput(outputGradient, reluOutput) : outputGradient;
  const gradient = tf.getGradient('FusedBatchNorm');
  if (!gradient) throw new Error('batchNormInTraining: no gradient registered for FusedBatchNorm');
  // The kernel always sees 4D tensors (tf.batchNorm reshapes), and tfjs-core's gradient relies on it.
  const as4D = (t: tf.Tensor) => tf.reshape(t, [-1, 1, 1, mean.size]);
  const x = as4D(input);
  const grads = gradient.gradFunc(as4D(dy), [x, mean, variance, scale], { varianceEpsilon: epsilon });
  const count = x.size / mean.size;
  const slope = tf.mul(grads.variance!(), 2 / count);
  const shift = tf.div(grads.mean!(), count);
  // (x − mean)·slope + shift as a batchNorm whose variance is 1 and epsilon 0.
  const throughMoments = tf.batchNorm(x, mean, tf.onesLike(variance), shift, slope, 0);
  const dx = tf.reshape(tf.add(grads.x!(), throughMoments), input.shape);
  return [dx, tf.reshape(grads.scale!(), mean.shape), tf.reshape(grads.offset!(), mean.shape)];
}

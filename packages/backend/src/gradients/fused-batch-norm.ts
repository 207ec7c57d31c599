import * as tf from '@tensorflow/tfjs-core';
import {
  BATCH_NORM_GRADIENT_KERNEL,
  hasSimdBatchNormGradient,
} from '../kernels/fmnist-batch-norm-gradient.js';

/**
 * The gradient of FusedBatchNorm with the per-channel factors taken out of the sums: with
 * inv = 1/sqrt(variance + eps), mean and variance gradients are -scale*inv*Σdy and
 * -scale*inv³/2 * Σ(dy*(x-mean)), the scale gradient inv * Σ(dy*(x-mean)), so a step makes three passes
 * over the activations and two sums where tfjs-core's own gradient makes eight passes, four sums and a
 * full-size tile. The same values (tfjs requires scale, mean and variance of one rank, so the factors
 * are constant within each sum). On wasm with our SIMD kernels, the activation-sized part (dx and both
 * sums) is one pass of our own kernel.
 */
export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const gradient = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
    const scaleValue = scale ?? tf.scalar(1);
    const reductionAxes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const perChannel = mean.rank === 1;
    const reduce = (t: tf.Tensor) => tf.reshape(perChannel ? tf.sum(t, reductionAxes) : t, mean.shape);
    const inv = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const scaledInv = tf.mul(scaleValue, inv);
    let dx: tf.Tensor;
    let sumDy: tf.Tensor;
    let sumDyXMinusMean: tf.Tensor;
    const lastAxis = x.shape.at(-1);
    if (perChannel && mean.shape[0] === lastAxis && hasSimdBatchNormGradient(tf.backend())) {
      const factor = tf.reshape(tf.broadcastTo(scaledInv, mean.shape), mean.shape);
      const [fused, sums] = tf.engine().runKernel(BATCH_NORM_GRADIENT_KERNEL, {
        x,
        dy: gradient,
        mean,
        factor,
      }) as tf.Tensor[];
      dx = fused!;
      const [totalDy, totalDyXMinusMean] = tf.unstack(sums!) as [tf.Tensor, tf.Tensor];
      sumDy = totalDy;
      sumDyXMinusMean = totalDyXMinusMean;
    } else {
      const xMinusMean = tf.sub(x, mean);
      dx = tf.mul(gradient, scaledInv);
      sumDy = reduce(gradient);
      sumDyXMinusMean = reduce(tf.mul(gradient, xMinusMean));
    }
    return {
      x: () => tf.reshape(dx, x.shape),
      mean: () => tf.reshape(tf.mul(tf.neg(scaledInv), sumDy), mean.shape),
      variance: () =>
        tf.reshape(
          tf.mul(tf.mul(tf.mul(scaledInv, tf.square(inv)), tf.scalar(-0.5)), sumDyXMinusMean),
          mean.shape,
        ),
      scale: () => tf.reshape(tf.mul(inv, sumDyXMinusMean), mean.shape),
      offset: () => sumDy,
    };
  },
};

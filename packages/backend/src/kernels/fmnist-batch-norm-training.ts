import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../kernel-call.js';
import { boundKernels, ourKernelRuns } from '../simd/engine.js';
import { heapOffset, withScratch } from '../simd/scratch.js';

/** Our kernel for BatchNorm's batch statistics over every axis but the last: outputs mean and variance. */
export const BATCH_NORM_MOMENTS_KERNEL = 'FmnistBatchNormMoments';
/** Our kernel for BatchNorm's whole input gradient in training: outputs dx and [Σdy, Σdy(x - mean)]. */
export const BATCH_NORM_TRAINING_GRADIENT_KERNEL = 'FmnistBatchNormTrainingGradient';
/** Our kernel for BatchNorm then ReLU in one pass (FusedBatchNorm has no activation). */
export const BATCH_NORM_RELU_KERNEL = 'FmnistBatchNormRelu';

export const batchNormMomentsConfig: KernelConfig = {
  kernelName: BATCH_NORM_MOMENTS_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { backend, kernels } = boundKernels(args.backend, BATCH_NORM_MOMENTS_KERNEL);
    const { x } = args.inputs as Record<string, TensorInfo>;
    const channels = x!.shape.at(-1)!;
    const mean = backend.makeOutput([channels], 'float32');
    const variance = backend.makeOutput([channels], 'float32');
    withScratch(backend, [mean, variance], (scratch) => {
      kernels.batchNormMoments(
        heapOffset(backend, x!),
        tf.util.sizeFromShape(x!.shape) / channels,
        channels,
        heapOffset(backend, mean),
        heapOffset(backend, variance),
        scratch.alloc(channels * 4),
      );
    });
    return [mean, variance];
  }) as unknown as KernelFunc,
};

export const batchNormTrainingGradientConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRADIENT_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { backend, kernels } = boundKernels(args.backend, BATCH_NORM_TRAINING_GRADIENT_KERNEL);
    const { x, dy, y, mean, variance, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const channels = x!.shape.at(-1)!;
    const dx = backend.makeOutput(x!.shape, 'float32');
    const sums = backend.makeOutput([2, channels], 'float32');
    withScratch(backend, [dx, sums], (scratch) => {
      kernels.batchNormTrainingGradient(
        heapOffset(backend, x!),
        heapOffset(backend, dy!),
        y ? heapOffset(backend, y) : 0,
        heapOffset(backend, mean!),
        heapOffset(backend, variance!),
        scale ? heapOffset(backend, scale) : 0,
        args.attrs.varianceEpsilon as number,
        tf.util.sizeFromShape(x!.shape) / channels,
        channels,
        heapOffset(backend, dx),
        heapOffset(backend, sums),
        scratch.alloc(3 * channels * 4),
      );
    });
    return [dx, sums];
  }) as unknown as KernelFunc,
};

export const batchNormReluConfig: KernelConfig = {
  kernelName: BATCH_NORM_RELU_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { backend, kernels } = boundKernels(args.backend, BATCH_NORM_RELU_KERNEL);
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, TensorInfo | undefined>;
    const channels = x!.shape.at(-1)!;
    const out = backend.makeOutput(x!.shape, 'float32');
    withScratch(backend, [out], (scratch) => {
      kernels.batchNormForward(
        heapOffset(backend, x!),
        heapOffset(backend, out),
        tf.util.sizeFromShape(x!.shape) / channels,
        channels,
        heapOffset(backend, mean!),
        heapOffset(backend, variance!),
        offset ? heapOffset(backend, offset) : 0,
        scale ? heapOffset(backend, scale) : 0,
        args.attrs.varianceEpsilon as number,
        scratch.alloc(2 * channels * 4),
        1,
      );
    });
    return out;
  }) as unknown as KernelFunc,
};

/**
 * Whether `kernelName` runs here (registered by registerWasmTrainingKernels, on wasm with our SIMD
 * kernels bound) and takes these tensors: float32, the statistics one value per channel of the last axis.
 */
function fitsKernel(kernelName: string, x: tf.Tensor, perChannel: (tf.Tensor | undefined)[]): boolean {
  const channels = x.shape.at(-1);
  return (
    ourKernelRuns(kernelName) &&
    x.rank >= 2 &&
    x.dtype === 'float32' &&
    perChannel.every(
      (t) => t === undefined || (t.dtype === 'float32' && t.rank === 1 && t.shape[0] === channels),
    )
  );
}

/**
 * BatchNorm's batch mean and biased variance over every axis but the last in one kernel of two passes
 * (tf.moments takes three kernels and a full-size temporary), where our SIMD kernels run (wasm);
 * undefined elsewhere, for the caller's own path. Not differentiable: the statistics feed BatchNorm
 * through a custom gradient and the moving averages.
 */
export function batchNormMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined {
  if (!fitsKernel(BATCH_NORM_MOMENTS_KERNEL, x, [])) return undefined;
  const [mean, variance] = tf.engine().runKernel(BATCH_NORM_MOMENTS_KERNEL, { x }) as tf.Tensor1D[];
  return { mean: mean!, variance: variance! };
}

/**
 * ReLU of `tf.batchNorm(x, mean, variance, offset, scale, varianceEpsilon)` in one pass, where our SIMD
 * kernels run (wasm) and the statistics, offset and scale are one value per channel of the last axis;
 * undefined elsewhere. Not differentiable on its own: for custom gradients (see batchNormTrainingGradient).
 */
export function batchNormRelu(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  offset: tf.Tensor | undefined,
  scale: tf.Tensor | undefined,
  varianceEpsilon: number,
): tf.Tensor | undefined {
  if (!fitsKernel(BATCH_NORM_RELU_KERNEL, x, [mean, variance, offset, scale])) return undefined;
  return tf
    .engine()
    .runKernel(
      BATCH_NORM_RELU_KERNEL,
      { x, mean, variance, ...(offset ? { offset } : {}), ...(scale ? { scale } : {}) },
      { varianceEpsilon },
    ) as tf.Tensor;
}

/**
 * The gradient of BatchNorm in training (statistics of the batch over every axis but the last) in two
 * passes, where our SIMD kernels run (wasm): dx through the batch mean and variance too, and the scale's
 * and offset's gradients. With `reluOutput` (the layer's output when a ReLU follows it, as batchNormRelu
 * gives), the gradient goes through that ReLU as well. Undefined elsewhere, for the caller's own path.
 */
export function batchNormTrainingGradient(
  x: tf.Tensor,
  dy: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  scale: tf.Tensor | undefined,
  varianceEpsilon: number,
  reluOutput?: tf.Tensor,
): { dx: tf.Tensor; dScale: tf.Tensor1D; dOffset: tf.Tensor1D } | undefined {
  const likeX = (t: tf.Tensor | undefined) =>
    t === undefined || (t.dtype === 'float32' && tf.util.arraysEqual(t.shape, x.shape));
  if (
    !fitsKernel(BATCH_NORM_TRAINING_GRADIENT_KERNEL, x, [mean, variance, scale]) ||
    !likeX(dy) ||
    !likeX(reluOutput)
  )
    return undefined;
  const inputs = {
    x,
    dy,
    ...(reluOutput ? { y: reluOutput } : {}),
    mean,
    variance,
    ...(scale ? { scale } : {}),
  };
  const [dx, sums] = tf
    .engine()
    .runKernel(BATCH_NORM_TRAINING_GRADIENT_KERNEL, inputs, { varianceEpsilon }) as tf.Tensor[];
  const [sumDy, sumDyXc] = tf.unstack(sums!) as [tf.Tensor1D, tf.Tensor1D];
  const dScale = tf.tidy(() => tf.mul(tf.rsqrt(tf.add(variance, varianceEpsilon)), sumDyXc)) as tf.Tensor1D;
  tf.dispose([sums!, sumDyXc]);
  return { dx: dx!, dScale, dOffset: sumDy };
}

import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../kernel-call.js';
import { boundKernels, simdKernelsFor } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

/** Our kernel for the activation-sized part of the BatchNorm gradient (see gradients/fused-batch-norm.ts). */
export const BATCH_NORM_GRADIENT_KERNEL = 'FmnistBatchNormGradient';

/** Whether `BATCH_NORM_GRADIENT_KERNEL` runs on `backend` (wasm with our SIMD kernels bound). */
export function hasSimdBatchNormGradient(backend: object): boolean {
  return simdKernelsFor(backend) !== undefined;
}

/** Inputs x, dy, mean and factor ([C]); outputs dx = dy * factor and [Σdy, Σdy(x - mean)] as [2, C]. */
export const batchNormGradientConfig: KernelConfig = {
  kernelName: BATCH_NORM_GRADIENT_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const { backend, kernels } = boundKernels(args.backend, BATCH_NORM_GRADIENT_KERNEL);
    const { x, dy, mean, factor } = args.inputs as Record<string, TensorInfo>;
    const channels = x!.shape.at(-1)!;
    const dx = backend.makeOutput(x!.shape, 'float32');
    const sums = backend.makeOutput([2, channels], 'float32');
    kernels.batchNormGradient(
      heapOffset(backend, x!),
      heapOffset(backend, dy!),
      heapOffset(backend, mean!),
      heapOffset(backend, factor!),
      util.sizeFromShape(x!.shape) / channels,
      channels,
      heapOffset(backend, dx),
      heapOffset(backend, sums),
    );
    return [dx, sums];
  }) as unknown as KernelFunc,
};

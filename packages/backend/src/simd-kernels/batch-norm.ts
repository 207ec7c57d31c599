import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from '../wasm-training/kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from './engine.js';
import { heapOffset, Scratch } from './scratch.js';

/** A per-channel vector of the last axis (what tf.layers.batchNormalization passes). */
function perChannel(t: TensorInfo | undefined, channels: number): boolean {
  return t === undefined || (t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === channels);
}

/**
 * FusedBatchNorm over the last axis as one SIMD pass, x * k + b with per-channel k and b: tfjs-wasm's own
 * loop costs about ten times as much. Other layouts (broadcast statistics of higher rank) go to `original`.
 */
export function simdBatchNorm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const backend = (args as unknown as KernelArgs).backend as unknown as WasmBackendInternals & {
      makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
    };
    const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
    const channels = x?.shape.at(-1) ?? 0;
    if (
      !x ||
      !mean ||
      !variance ||
      x.dtype !== 'float32' ||
      channels === 0 ||
      ![mean, variance, offset, scale].every((t) => perChannel(t, channels))
    ) {
      return original(args);
    }
    const kernels = simdKernelsFor(backend);
    if (!kernels) return original(args);
    const out = backend.makeOutput(x.shape, 'float32');
    const pixels = util.sizeFromShape(x.shape) / channels;
    const scratch = new Scratch(backend);
    try {
      kernels.batchNormForward(
        heapOffset(backend, x),
        heapOffset(backend, out),
        pixels,
        channels,
        heapOffset(backend, mean),
        heapOffset(backend, variance),
        offset ? heapOffset(backend, offset) : 0,
        scale ? heapOffset(backend, scale) : 0,
        attrs.varianceEpsilon as number,
        scratch.alloc(2 * channels * 4),
      );
    } finally {
      scratch.free();
    }
    return out;
  };
}

/** Our kernel for the activation-sized part of the BatchNorm gradient (see `batchNormGradient`). */
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
    const backend = args.backend as unknown as WasmBackendInternals & {
      makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
    };
    const { x, dy, mean, factor } = args.inputs as Record<string, TensorInfo>;
    const kernels = simdKernelsFor(backend);
    if (!kernels) throw new BackendError(`${BATCH_NORM_GRADIENT_KERNEL} needs the SIMD kernels bound`);
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

import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { KernelArgs, KernelWrapper } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { heapOffset, withScratch } from '../simd/scratch.js';

/** A per-channel vector of the last axis (what tf.layers.batchNormalization passes). */
function perChannel(t: TensorInfo | undefined, channels: number): boolean {
  return t === undefined || (t.dtype === 'float32' && t.shape.length === 1 && t.shape[0] === channels);
}

/**
 * FusedBatchNorm over the last axis as one SIMD pass, x * k + b with per-channel k and b: tfjs-wasm's own
 * loop costs about ten times as much. Other layouts (broadcast statistics of higher rank) go to `original`.
 */
function simdBatchNorm(original: KernelFunc): KernelFunc {
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
    withScratch(backend, [out], (scratch) => {
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
        0,
      );
    });
    return out;
  };
}

export const fusedBatchNormWrapper: KernelWrapper = { kernelName: 'FusedBatchNorm', wrap: simdBatchNorm };

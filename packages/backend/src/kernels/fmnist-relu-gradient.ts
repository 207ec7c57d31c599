import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import type { KernelArgs } from '../kernel-call.js';
import { simdKernelsFor, type WasmBackendInternals } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

/** Our kernel for ReLU's gradient, dy * step(x) in one pass (see gradients/relu.ts). */
export const RELU_GRADIENT_KERNEL = 'FmnistReluGradient';

/** Inputs dy and x, float32 of one shape; output dy * step(x). */
export const reluGradientConfig: KernelConfig = {
  kernelName: RELU_GRADIENT_KERNEL,
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => {
    const backend = args.backend as unknown as WasmBackendInternals & {
      makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
    };
    const { dy, x } = args.inputs as Record<string, TensorInfo>;
    const kernels = simdKernelsFor(backend);
    if (!kernels) throw new BackendError(`${RELU_GRADIENT_KERNEL} needs the SIMD kernels bound`);
    const out = backend.makeOutput(x!.shape, 'float32');
    kernels.reluGradient(
      heapOffset(backend, dy!),
      heapOffset(backend, x!),
      heapOffset(backend, out),
      util.sizeFromShape(x!.shape),
    );
    return out;
  }) as unknown as KernelFunc,
};

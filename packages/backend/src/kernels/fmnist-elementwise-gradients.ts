import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { KernelArgs } from '../kernel-call.js';
import { boundKernels } from '../simd/engine.js';
import { heapOffset } from '../simd/scratch.js';

type ElementwiseExport = 'reluGradient' | 'squareGradient';

/** A kernel of inputs dy and x (float32, one shape) whose output is one pass of our `pass` over both. */
function elementwiseGradientConfig(kernelName: string, pass: ElementwiseExport): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const { backend, kernels } = boundKernels(args.backend, kernelName);
      const { dy, x } = args.inputs as Record<string, TensorInfo>;
      const out = backend.makeOutput(x!.shape, 'float32');
      kernels[pass](
        heapOffset(backend, dy!),
        heapOffset(backend, x!),
        heapOffset(backend, out),
        util.sizeFromShape(x!.shape),
      );
      return out;
    }) as unknown as KernelFunc,
  };
}

/** ReLU's gradient, dy * step(x), in one pass (see gradients/elementwise.ts). */
export const RELU_GRADIENT_KERNEL = 'FmnistReluGradient';
/** Square's gradient, dy * (x * 2), in one pass (see gradients/elementwise.ts). */
export const SQUARE_GRADIENT_KERNEL = 'FmnistSquareGradient';

export const reluGradientConfig = elementwiseGradientConfig(RELU_GRADIENT_KERNEL, 'reluGradient');
export const squareGradientConfig = elementwiseGradientConfig(SQUARE_GRADIENT_KERNEL, 'squareGradient');

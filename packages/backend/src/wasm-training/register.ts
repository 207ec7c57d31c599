import {
  getGradient,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { batchNormGradientConfig, simdBatchNorm } from '../simd-kernels/batch-norm.js';
import { simdConv2D } from '../simd-kernels/conv2d.js';
import { fusedBatchNormGradConfig } from './batch-norm-gradient.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { dilatedConv2DGradConfig } from './dilated-conv-gradient.js';
import { leadingAxesReduction } from './leading-axes-reduce.js';
import { onePassMaxPoolGrad } from './max-pool-grad.js';
import { identityConfig, sameDtypeCast } from './shared-buffers.js';

let registered = false;

function replaceKernel(config: KernelConfig) {
  if (getKernel(config.kernelName, config.backendName))
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

/** Replaces tfjs-wasm's `kernelName` with `wrap` of it (which handles its own cases and defers the rest). */
function wrapKernel(kernelName: string, wrap: (original: KernelFunc) => KernelFunc) {
  const current = getKernel(kernelName, 'wasm');
  if (current) replaceKernel({ ...current, kernelFunc: wrap(current.kernelFunc) });
}

/**
 * Makes the WASM backend able to train conv nets fast: adds the missing `Conv2DBackpropFilter` and
 * replaces the naive `Conv2DBackpropInput` (both built on XNNPACK convolutions), reduces over leading
 * axes with one average pooling, computes max-pool gradients in one pass, shares buffers in Identity
 * and same-dtype Cast instead of copying, and swaps in a BatchNorm gradient with fewer passes and a
 * Conv2D gradient that supports dilation (gradients are global: those two apply on every backend).
 * Every replacement computes the same values as what it replaces. Safe to call more than once.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  wrapKernel('Conv2D', simdConv2D);
  wrapKernel('FusedConv2D', simdConv2D);
  wrapKernel('FusedBatchNorm', simdBatchNorm);
  replaceKernel(batchNormGradientConfig);
  replaceKernel(conv2DBackpropFilterConfig);
  replaceKernel(conv2DBackpropInputConfig);
  replaceKernel(identityConfig);
  wrapKernel('Cast', sameDtypeCast);
  wrapKernel('Sum', (original) => leadingAxesReduction('Sum', original));
  wrapKernel('Mean', (original) => leadingAxesReduction('Mean', original));
  wrapKernel('MaxPoolGrad', onePassMaxPoolGrad);
  // Gradients are global, not per backend; tfjs warns on every override, which here is deliberate.
  const warn = console.warn;
  console.warn = () => {};
  try {
    registerGradient(fusedBatchNormGradConfig);
    const conv2DGrad = getGradient('Conv2D');
    if (conv2DGrad) registerGradient(dilatedConv2DGradConfig(conv2DGrad));
  } finally {
    console.warn = warn;
  }
}

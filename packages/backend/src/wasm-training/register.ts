import {
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { fusedBatchNormGradConfig } from './batch-norm-gradient.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { dilatedConv2DGradConfig } from './dilated-conv-gradient.js';
import { leadingAxesReductionConfigs } from './leading-axes-reduce.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { identityConfig, sameDtypeCastConfig } from './shared-buffers.js';

let registered = false;

function replaceKernel(config: KernelConfig) {
  if (getKernel(config.kernelName, config.backendName))
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
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
  replaceKernel(conv2DBackpropFilterConfig);
  replaceKernel(conv2DBackpropInputConfig);
  replaceKernel(identityConfig);
  for (const config of sameDtypeCastConfig(getKernel('Cast', 'wasm'))) replaceKernel(config);
  for (const config of leadingAxesReductionConfigs((name) => getKernel(name, 'wasm'))) replaceKernel(config);
  for (const config of maxPoolGradConfig(getKernel('MaxPoolGrad', 'wasm'))) replaceKernel(config);
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

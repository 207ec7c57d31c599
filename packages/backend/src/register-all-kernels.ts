import {
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { dilatedConv2DGradConfig } from './gradients/conv2d.js';
import { reluGradConfig, squareGradConfig } from './gradients/elementwise.js';
import { fusedBatchNormGradConfig } from './gradients/fused-batch-norm.js';
import { meanGradConfig, sumGradConfig } from './gradients/mean-and-sum.js';
import type { KernelWrapper } from './kernel-call.js';
import { castWrapper } from './kernels/cast.js';
import { channelBinaryWrappers } from './kernels/channel-binary.js';
import { conv2DWrapper, fusedConv2DWrapper } from './kernels/conv2d.js';
import { conv2DBackpropFilterConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './kernels/conv2d-backprop-input.js';
import { adamWConfig } from './kernels/fmnist-adamw.js';
import { batchNormGradientConfig } from './kernels/fmnist-batch-norm-gradient.js';
import {
  batchNormMomentsConfig,
  batchNormReluConfig,
  batchNormTrainingGradientConfig,
} from './kernels/fmnist-batch-norm-training.js';
import { dropoutMaskConfig } from './kernels/fmnist-dropout-mask.js';
import { reluGradientConfig, squareGradientConfig } from './kernels/fmnist-elementwise-gradients.js';
import { fusedBatchNormWrapper } from './kernels/fused-batch-norm.js';
import { identityConfig } from './kernels/identity.js';
import { maxPoolGradWrapper } from './kernels/max-pool-grad.js';
import { meanWrapper, sumWrapper } from './kernels/sum-and-mean.js';
import { tileWrapper } from './kernels/tile.js';

// Kernels of our own (configs) and wrappers of tfjs-wasm's own (which defer to it), in registration order.
const KERNELS: readonly (KernelConfig | KernelWrapper)[] = [
  conv2DWrapper,
  fusedConv2DWrapper,
  fusedBatchNormWrapper,
  batchNormGradientConfig,
  batchNormMomentsConfig,
  batchNormReluConfig,
  batchNormTrainingGradientConfig,
  dropoutMaskConfig,
  adamWConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  identityConfig,
  castWrapper,
  sumWrapper,
  meanWrapper,
  maxPoolGradWrapper,
  reluGradientConfig,
  squareGradientConfig,
  tileWrapper,
  ...channelBinaryWrappers,
];

let registered = false;

function replaceKernel(config: KernelConfig) {
  if (getKernel(config.kernelName, config.backendName))
    unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
}

function wrapKernel({ kernelName, wrap }: KernelWrapper) {
  const current = getKernel(kernelName, 'wasm');
  if (current) replaceKernel({ ...current, kernelFunc: wrap(current.kernelFunc) });
}

/**
 * Makes the WASM backend able to train conv nets fast: runs Conv2D, FusedConv2D, FusedBatchNorm and the
 * BatchNorm gradient on our SIMD kernels, adds the missing `Conv2DBackpropFilter` and replaces the naive
 * `Conv2DBackpropInput` (SIMD kernels, XNNPACK convolutions where those cannot run), reduces over leading
 * axes with one average pooling, computes max-pool gradients in one pass, shares buffers in Identity
 * and same-dtype Cast instead of copying, tiles a row by doubling copies, adds, subtracts, multiplies
 * and divides by a per-channel row in one SIMD pass, and swaps in a BatchNorm gradient with fewer
 * passes, ReLU and Square gradients of one pass (our kernels on wasm), Mean and Sum gradients that
 * divide before they spread dy by a Tile (tfjs-core's build a tensor of ones in JavaScript) and a
 * Conv2D gradient that supports dilation (gradients are global: they apply on every backend), and adds
 * `FmnistAdamW`, one AdamW step of a variable in one pass (@fmnist/model's optimizer runs it where it is
 * registered).
 * Every replacement computes the same values as what it replaces, except that MaxPoolGrad gives ties to
 * the first maximum as the cpu backend does (tfjs-wasm's own does not), and sums and means computed as an
 * average pooling differ from tfjs-wasm's by float rounding. Safe to call more than once.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const kernel of KERNELS) {
    if ('wrap' in kernel) wrapKernel(kernel);
    else replaceKernel(kernel);
  }
  // Gradients are global, not per backend; tfjs warns on every override, which here is deliberate.
  const warn = console.warn;
  console.warn = () => {};
  try {
    registerGradient(fusedBatchNormGradConfig);
    registerGradient(reluGradConfig);
    registerGradient(squareGradConfig);
    registerGradient(meanGradConfig);
    registerGradient(sumGradConfig);
    const conv2DGrad = getGradient('Conv2D');
    if (conv2DGrad) registerGradient(dilatedConv2DGradConfig(conv2DGrad));
  } finally {
    console.warn = warn;
  }
}

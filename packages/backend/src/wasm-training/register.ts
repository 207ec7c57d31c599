import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';

const KERNELS = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig];

/**
 * Makes the WASM backend able to train conv nets: adds the missing `Conv2DBackpropFilter` and replaces
 * the naive `Conv2DBackpropInput`, both built on XNNPACK convolutions. Safe to call more than once.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of KERNELS) {
    if (getKernel(config.kernelName, config.backendName)?.kernelFunc === config.kernelFunc) continue;
    if (getKernel(config.kernelName, config.backendName)) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
}

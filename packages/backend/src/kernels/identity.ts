import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { type KernelArgs, share } from '../kernel-call.js';

/**
 * Identity that shares the input's buffer instead of copying it: gradients pass activations through
 * Identity several times a step.
 */
export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => share(args.inputs.x!, args.backend)) as unknown as KernelFunc,
};

import type { KernelFunc } from '@tensorflow/tfjs-core';
import { type KernelArgs, type KernelWrapper, share } from '../kernel-call.js';

/** Cast to the dtype a tensor already has (every ReLU gradient does it) as a shared buffer, not a copy. */
function sameDtypeCast(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const x = inputs.x!;
    return x.dtype === attrs.dtype ? share(x, backend) : original(args);
  };
}

export const castWrapper: KernelWrapper = { kernelName: 'Cast', wrap: sameDtypeCast };

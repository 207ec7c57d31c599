import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelArgs } from './kernel-call.js';

type SharingBackend = KernelBackend & { incRef(dataId: object): void };

/** A new tensor on the same buffer (reference-counted), as the cpu backend and tfjs-wasm's Reshape do. */
function share(x: TensorInfo, backend: KernelBackend): TensorInfo {
  (backend as SharingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Identity that shares the input's buffer instead of copying it: gradients pass activations through
 * Identity several times a step.
 */
export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ((args: KernelArgs) => share(args.inputs.x!, args.backend)) as unknown as KernelFunc,
};

/** Cast to the dtype a tensor already has (every ReLU gradient does it) as a shared buffer, not a copy. */
export function sameDtypeCast(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args as unknown as KernelArgs;
    const x = inputs.x!;
    return x.dtype === attrs.dtype ? share(x, backend) : original(args);
  };
}

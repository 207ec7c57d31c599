import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Identity that shares the input's buffer (reference-counted, as the cpu backend and tfjs-wasm's own
 * Reshape do) instead of copying it: gradients pass activations through Identity several times a step.
 */
export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ((args: { inputs: { x: TensorInfo }; backend: KernelBackend }) => {
    const { x } = args.inputs;
    (args.backend as KernelBackend & { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelConfig['kernelFunc'],
};

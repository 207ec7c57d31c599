import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRADIENT_KERNEL } from '../kernels/fmnist-relu-gradient.js';
import { simdKernelsFor } from '../simd/engine.js';

/**
 * ReLU's gradient, dy * step(x): on wasm with our SIMD kernels one pass of our own kernel, where
 * tfjs-core's gradient makes three (Step, Cast, Multiply); the same values. Elsewhere tfjs-core's.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const gradient = dy as tf.Tensor;
    const [x] = saved as [tf.Tensor];
    const fused =
      gradient.dtype === 'float32' &&
      x.dtype === 'float32' &&
      tf.util.arraysEqual(gradient.shape, x.shape) &&
      simdKernelsFor(tf.backend()) !== undefined;
    return {
      x: () =>
        fused
          ? (tf.engine().runKernel(RELU_GRADIENT_KERNEL, { dy: gradient, x }) as tf.Tensor)
          : tf.mul(gradient, tf.cast(tf.step(x), 'float32')),
    };
  },
};

import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRADIENT_KERNEL, SQUARE_GRADIENT_KERNEL } from '../kernels/fmnist-elementwise-gradients.js';
import { simdKernelsFor } from '../simd/engine.js';

/**
 * The gradient of an elementwise op of one input, dy * f'(x): on wasm with our SIMD kernels one pass of
 * `kernelName` (same values: the same products in the same order), elsewhere tfjs-core's `formula`.
 */
function elementwiseGradConfig(
  opName: string,
  kernelName: string,
  formula: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
): tf.GradConfig {
  return {
    kernelName: opName,
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
            ? (tf.engine().runKernel(kernelName, { dy: gradient, x }) as tf.Tensor)
            : formula(gradient, x),
      };
    },
  };
}

/** ReLU's: one pass where tfjs-core's makes three (Step, Cast, Multiply) over every activation. */
export const reluGradConfig = elementwiseGradConfig('Relu', RELU_GRADIENT_KERNEL, (dy, x) =>
  tf.mul(dy, tf.cast(tf.step(x), 'float32')),
);

/** Square's (batch normalization's variance in training): one pass where tfjs-core's makes two. */
export const squareGradConfig = elementwiseGradConfig('Square', SQUARE_GRADIENT_KERNEL, (dy, x) =>
  tf.mul(dy, tf.mul(tf.cast(x, 'float32'), 2)),
);

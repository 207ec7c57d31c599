import * as tf from '@tensorflow/tfjs-core';
import { reluGradientFromOutput } from './relu-gradient-from-output.js';

export type TrainingConvActivation = 'linear' | 'relu';

interface ConvAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
  activation: TrainingConvActivation;
  /**
   * The output feeds only a BatchNorm normalizing with this batch's per-channel statistics, which
   * subtracts any per-channel constant: the bias gradient is exactly zero, so it is not summed.
   */
  biasGradientIsZero?: boolean;
}

/**
 * The FusedConv2D kernel's gradient, one input at a time. tfjs-core has none: tf.fused.conv2d records a
 * custom gradient, which computes the input, filter and bias gradients together whether the backward
 * pass needs them or not, so the first layer's gradient with respect to the images (as long as a whole
 * convolution) is computed and thrown away. NHWC, dilation 1, linear or ReLU.
 */
const fusedConv2dGradConfig: tf.GradConfig = {
  kernelName: 'FusedConv2D',
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, activation, dilations, dataFormat, biasGradientIsZero } =
      attrs as unknown as ConvAttrs & {
        dilations: number[] | number;
        dataFormat: string;
      };
    const dilated = [dilations].flat().some((d) => d !== 1);
    if (dilated || dataFormat !== 'NHWC' || (activation !== 'linear' && activation !== 'relu')) {
      throw new Error(
        `FusedConv2D gradient (@fmnist/training): only NHWC, dilation 1, linear or relu; got ${dataFormat}, dilations ${dilations}, ${activation}`,
      );
    }
    const dyActivation =
      activation === 'relu' ? reluGradientFromOutput(dy as tf.Tensor, y) : (dy as tf.Tensor);
    const convAttrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    return {
      x: () =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyActivation, filter }, {
          ...convAttrs,
          inputShape: x.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      filter: () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyActivation }, {
          ...convAttrs,
          filterShape: filter.shape,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      bias: () => (biasGradientIsZero ? tf.zeros([filter.shape[3]]) : tf.sum(dyActivation, [0, 1, 2])),
    };
  },
};

/**
 * A 2D convolution with bias and activation in one kernel, differentiated one input at a time (see
 * above). Same values as tf.fused.conv2d.
 */
export function conv2dInTraining(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D | null,
  attrs: ConvAttrs,
): tf.Tensor4D {
  if (!tf.getGradient('FusedConv2D')) {
    tf.registerGradient(fusedConv2dGradConfig);
  }
  const inputs: tf.NamedTensorMap = bias ? { x, filter, bias } : { x, filter };
  return tf.engine().runKernel('FusedConv2D', inputs, {
    ...attrs,
    biasGradientIsZero: attrs.biasGradientIsZero === true,
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
    leakyreluAlpha: undefined,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

import * as tf from '@tensorflow/tfjs-core';

type Conv2DAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** The filter with `d - 1` zeros between its taps: a dilated convolution as a plain one. */
function spreadTaps(filter: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const split = tf.reshape(filter, [kh, 1, kw, 1, ci, co]);
  const padded = tf.pad(split, [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const spread = tf.reshape(padded, [kh * dh, kw * dw, ci, co]);
  return tf.slice(spread, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as tf.Tensor4D;
}

/**
 * The gradient of Conv2D with dilation > 1, which tfjs-core 4.22 refuses ("not yet supported"): the
 * dilated convolution is a plain one with zeros between the filter taps, so the input gradient is that
 * filter's, and the filter gradient is the plain filter gradient read at the taps. Works on every
 * backend; dilation 1 (and NCHW) keeps tfjs-core's gradient.
 */
export function dilatedConv2DGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
      const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
      if ((dh === 1 && dw === 1) || dataFormat === 'NCHW') return original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const spread = spreadTaps(filter, dh, dw);
      return {
        x: () =>
          tf.engine().runKernel('Conv2DBackpropInput', { dy: dy as tf.Tensor, filter: spread }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            inputShape: x.shape,
          } as never) as tf.Tensor,
        filter: () => {
          const full = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dy as tf.Tensor }, {
            strides,
            pad,
            dataFormat,
            dimRoundingMode,
            filterShape: spread.shape,
          } as never) as tf.Tensor4D;
          return tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [dh, dw, 1, 1]);
        },
      };
    },
  };
}

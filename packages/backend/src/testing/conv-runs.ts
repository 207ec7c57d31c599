import { onBackend, randomArray, tf } from './tf.js';

export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/** A convolution for parity tests: shapes, geometry and what is fused. */
export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  stride: number;
  dilation: number;
  pad: Pad;
  activation: 'linear' | 'relu' | 'relu6';
  bias: boolean;
}

/** The fused convolution of fixed pseudo-random x, filter and bias on `backend`. */
export function forwardRun(backend: string, c: ConvCase) {
  const x = randomArray(c.batch * c.height * c.width * c.inChannels, 1);
  const w = randomArray(c.kernel[0] * c.kernel[1] * c.inChannels * c.outChannels, 2);
  const b = randomArray(c.outChannels, 3);
  return onBackend(backend, () => [
    tf.fused.conv2d({
      x: tf.tensor4d(x, [c.batch, c.height, c.width, c.inChannels]),
      filter: tf.tensor4d(w, [...c.kernel, c.inChannels, c.outChannels]),
      strides: c.stride,
      pad: c.pad,
      dilations: c.dilation,
      bias: c.bias ? tf.tensor1d(b) : undefined,
      activation: c.activation,
    }),
  ]);
}

/** Gradients of sum(conv(x, w) * dy) with respect to x and w. */
export function gradientRun(backend: string, c: ConvCase) {
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const wShape: [number, number, number, number] = [...c.kernel, c.inChannels, c.outChannels];
  const outShape = tf.backend_util.computeConv2DInfo(xShape, wShape, c.stride, c.dilation, c.pad).outShape;
  const x = randomArray(
    xShape.reduce((a, b) => a * b),
    4,
  );
  const w = randomArray(
    wShape.reduce((a, b) => a * b),
    5,
  );
  const dy = randomArray(
    outShape.reduce((a, b) => a * b),
    6,
  );
  return onBackend(backend, () =>
    tf.grads(((a: tf.Tensor4D, f: tf.Tensor4D) =>
      tf.sum(tf.mul(tf.conv2d(a, f, c.stride, c.pad, 'NHWC', c.dilation), tf.tensor(dy, outShape)))) as (
      ...t: tf.Tensor[]
    ) => tf.Tensor)([tf.tensor4d(x, xShape), tf.tensor4d(w, wShape)]),
  );
}

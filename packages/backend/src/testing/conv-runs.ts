import { expect } from 'vitest';
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

/** tfjs's geometry of a case, as the kernels' rules (Winograd tile, by taps) read it. */
export function convInfo(c: ConvCase) {
  return tf.backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    [...c.kernel, c.inChannels, c.outChannels],
    c.stride,
    c.dilation,
    c.pad,
  );
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

/**
 * Checks the wasm backend's dx and dW of sum(conv(x, w)^2) at a few entries against central differences
 * of the loss (x needs at least 78 entries).
 */
export async function expectFiniteDifferenceGradients(c: ConvCase): Promise<void> {
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
  const wShape: [number, number, number, number] = [...c.kernel, c.inChannels, c.outChannels];
  const x = randomArray(
    xShape.reduce((a, b) => a * b),
    7,
  );
  const w = randomArray(
    wShape.reduce((a, b) => a * b),
    8,
  );
  await tf.setBackend('wasm');
  // A smooth loss (squares), so that the difference quotient tests the gradient, not a linear identity.
  const loss = (a: tf.Tensor4D, f: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(a, f, c.stride, c.pad)));
  const value = (xv: Float32Array, wv: Float32Array) =>
    tf.tidy(() => loss(tf.tensor4d(xv, xShape), tf.tensor4d(wv, wShape)).dataSync()[0]!);
  const [dx, dw] = await onBackend('wasm', () =>
    tf.grads(loss as (...t: tf.Tensor[]) => tf.Tensor)([tf.tensor4d(x, xShape), tf.tensor4d(w, wShape)]),
  );
  const eps = 1e-2;
  const check = (
    values: Float32Array,
    gradient: Float32Array,
    index: number,
    evaluate: (v: Float32Array) => number,
  ) => {
    const plus = values.slice();
    const minus = values.slice();
    plus[index]! += eps;
    minus[index]! -= eps;
    const numeric = (evaluate(plus) - evaluate(minus)) / (2 * eps);
    expect(Math.abs(numeric - gradient[index]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
  };
  for (const index of [0, 5, 17, w.length - 1]) check(w, dw!, index, (v) => value(x, v));
  for (const index of [0, 40, 77, x.length - 1]) check(x, dx!, index, (v) => value(v, w));
}

import { describe, expect, it } from 'vitest';
import { dilateFilter } from '../testing/dilate-filter.js';
import { maxRelativeDifference, onBackend, randomArray, tf } from '../testing/tf.js';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  batch: number;
  channels: number;
  kernel: number;
  stride: number;
  pad: Pad;
  dilation: number;
  outChannels: number;
}

// Every kernel size × stride/dilation × padding, with batch, channels and output channels cycling through
// the grid (output channels that are and are not a multiple of the SIMD kernels' 8 columns).
const shapes = [
  { batch: 1, channels: 1 },
  { batch: 64, channels: 3 },
  { batch: 1, channels: 32 },
  { batch: 64, channels: 32 },
];
const pads: Pad[] = [
  'same',
  'valid',
  [
    [0, 0],
    [1, 2],
    [2, 0],
    [0, 0],
  ],
];
const outChannelCounts = [8, 4, 16, 13, 24];
const cases: Case[] = [];
for (const kernel of [1, 2, 3, 5]) {
  for (const [stride, dilation] of [
    [1, 1],
    [2, 1],
    [1, 2],
  ] as const) {
    for (const pad of pads)
      cases.push({
        ...shapes[cases.length % shapes.length]!,
        outChannels: outChannelCounts[cases.length % outChannelCounts.length]!,
        kernel,
        stride,
        pad,
        dilation,
      });
  }
}

describe('WASM conv gradient kernels match the cpu backend', () => {
  it.each(cases)(
    'batch $batch, channels $channels → $outChannels, kernel $kernel, stride $stride, pad $pad, dilation $dilation',
    async (c) => {
      const size = 9;
      const { outChannels } = c;
      const xShape: [number, number, number, number] = [c.batch, size, size, c.channels];
      const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.channels, outChannels];
      const x = randomArray(
        xShape.reduce((a, b) => a * b),
        1,
      );
      const w = randomArray(
        wShape.reduce((a, b) => a * b),
        2,
      );
      const dilated = dilateFilter(w, c.kernel, c.channels, outChannels, c.dilation);
      const dilatedShape: [number, number, number, number] = [
        dilated.size,
        dilated.size,
        c.channels,
        outChannels,
      ];
      const outShape = tf.backend_util.computeConv2DInfo(xShape, dilatedShape, c.stride, 1, c.pad).outShape;
      const dy = randomArray(
        outShape.reduce((a, b) => a * b),
        3,
      );

      // Reference: gradients of sum(conv(x, dilated w) * dy) on cpu; the filter gradient sampled at the taps.
      const [refDx, refDwDilated] = await onBackend('cpu', () => {
        const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          tf.sum(tf.mul(tf.conv2d(a, b, c.stride, c.pad), tf.tensor(dy, outShape)));
        return tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([
          tf.tensor4d(x, xShape),
          tf.tensor4d(dilated.data, dilatedShape),
        ]);
      });
      const refDw = new Float32Array(w.length);
      const cc = c.channels * outChannels;
      for (let i = 0; i < c.kernel; i++)
        for (let j = 0; j < c.kernel; j++)
          for (let k = 0; k < cc; k++)
            refDw[(i * c.kernel + j) * cc + k] =
              refDwDilated![(i * c.dilation * dilated.size + j * c.dilation) * cc + k]!;

      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: c.dilation };
      const [dx, dw] = await onBackend('wasm', () => [
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy: tf.tensor(dy, outShape), filter: tf.tensor4d(w, wShape) }, {
            ...attrs,
            inputShape: xShape,
          } as never) as tf.Tensor,
        tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor(dy, outShape) }, {
            ...attrs,
            filterShape: wShape,
          } as never) as tf.Tensor,
      ]);
      expect(maxRelativeDifference(refDx!, dx!)).toBeLessThan(1e-4);
      expect(maxRelativeDifference(refDw, dw!)).toBeLessThan(1e-4);
    },
  );

  it('lets tf.grads of a conv net run on wasm, matching cpu', async () => {
    const x = randomArray(2 * 8 * 8 * 3, 5);
    const w1 = randomArray(3 * 3 * 3 * 8, 6);
    const w2 = randomArray(5 * 5 * 8 * 4, 7);
    const run = (backend: string) =>
      onBackend(backend, () => {
        const f = (a: tf.Tensor4D, b: tf.Tensor4D) =>
          tf.sum(
            tf.square(
              tf.conv2d(tf.relu(tf.conv2d(tf.tensor4d(x, [2, 8, 8, 3]), a, 1, 'same')), b, 2, 'valid'),
            ),
          );
        return tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([
          tf.tensor4d(w1, [3, 3, 3, 8]),
          tf.tensor4d(w2, [5, 5, 8, 4]),
        ]);
      });
    const [cpu, wasm] = [await run('cpu'), await run('wasm')];
    for (let i = 0; i < 2; i++) expect(maxRelativeDifference(cpu[i]!, wasm[i]!)).toBeLessThan(1e-4);
  });

  it('names dy when its shape does not match x and filterShape, instead of reading past it', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([2, 7, 7, 1]);
    const dy = tf.zeros([2, 6, 7, 8]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, 1, 8],
      } as never),
    ).toThrow('dy has shape [2,6,7,8], expected [2,7,7,8] for x [2,7,7,1] and filterShape [3,3,1,8]');
    tf.dispose([x, dy]);
  });
});

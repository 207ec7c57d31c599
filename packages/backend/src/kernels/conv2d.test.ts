import { afterAll, describe, expect, it } from 'vitest';
import { setSimdKernelBuild, simdKernelChoice, simdKernelStatus } from '../simd/engine.js';
import {
  type ConvCase,
  expectFiniteDifferenceGradients,
  forwardRun,
  gradientRun,
} from '../testing/conv-runs.js';
import { maxRelativeDifference, tf } from '../testing/tf.js';

// Beyond the CNN-MLP: strides 1-3, even and 1x1 kernels, 1 and 3 input channels, batch 1, odd and
// non-square inputs, output channels that fill 8-wide tiles or not, explicit padding.
const forwardCases: ConvCase[] = [
  {
    batch: 2,
    height: 28,
    width: 28,
    inChannels: 1,
    outChannels: 32,
    kernel: [3, 3],
    stride: 1,
    dilation: 1,
    pad: 'same',
    activation: 'relu',
    bias: true,
  },
  {
    batch: 3,
    height: 11,
    width: 11,
    inChannels: 32,
    outChannels: 64,
    kernel: [3, 3],
    stride: 1,
    dilation: 1,
    pad: 'same',
    activation: 'relu',
    bias: true,
  },
  {
    batch: 1,
    height: 9,
    width: 9,
    inChannels: 64,
    outChannels: 128,
    kernel: [5, 5],
    stride: 1,
    dilation: 1,
    pad: 'same',
    activation: 'linear',
    bias: true,
  },
  {
    batch: 1,
    height: 7,
    width: 13,
    inChannels: 3,
    outChannels: 13,
    kernel: [2, 2],
    stride: 2,
    dilation: 1,
    pad: 'valid',
    activation: 'relu6',
    bias: true,
  },
  {
    batch: 4,
    height: 10,
    width: 9,
    inChannels: 5,
    outChannels: 7,
    kernel: [1, 1],
    stride: 3,
    dilation: 1,
    pad: 'same',
    activation: 'linear',
    bias: false,
  },
  {
    batch: 2,
    height: 12,
    width: 12,
    inChannels: 8,
    outChannels: 16,
    kernel: [3, 3],
    stride: 1,
    dilation: 2,
    pad: 'same',
    activation: 'relu',
    bias: false,
  },
  {
    batch: 2,
    height: 9,
    width: 8,
    inChannels: 6,
    outChannels: 9,
    kernel: [3, 2],
    stride: 2,
    dilation: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
    activation: 'linear',
    bias: true,
  },
];

const detected = simdKernelChoice().build;
afterAll(() => setSimdKernelBuild(detected));

describe.each(['relaxed-simd', 'simd128'] as const)('SIMD conv kernels, %s build', (build) => {
  it('bind to the wasm backend', async () => {
    setSimdKernelBuild(build);
    await tf.setBackend('wasm');
    expect(simdKernelStatus(tf.backend())).toEqual({ build, reason: 'set by setSimdKernelBuild' });
  });

  it.each(forwardCases)(
    'forward $height x $width x $inChannels → $outChannels, kernel $kernel, stride $stride, dilation $dilation, pad $pad, $activation',
    async (c) => {
      setSimdKernelBuild(build);
      const [reference] = await forwardRun('cpu', c);
      const [ours] = await forwardRun('wasm', c);
      expect(ours!.length).toBe(reference!.length);
      expect(maxRelativeDifference(reference!, ours!)).toBeLessThan(1e-4);
    },
  );

  it.each(forwardCases.filter((c) => c.dilation === 1 || c.stride === 1))(
    'gradients $height x $width x $inChannels → $outChannels, kernel $kernel, stride $stride, dilation $dilation, pad $pad',
    async (c) => {
      setSimdKernelBuild(build);
      const [refDx, refDw] = await gradientRun('cpu', c);
      const [dx, dw] = await gradientRun('wasm', c);
      expect(maxRelativeDifference(refDx!, dx!)).toBeLessThan(1e-4);
      expect(maxRelativeDifference(refDw!, dw!)).toBeLessThan(1e-4);
    },
  );
});

describe('SIMD conv kernels', () => {
  it('give filter and input gradients that agree with finite differences', async () => {
    setSimdKernelBuild(detected);
    await expectFiniteDifferenceGradients(forwardCases[3]!);
  });

  it.each([
    [
      'mismatched channels',
      () =>
        tf.conv2d(tf.zeros([1, 5, 5, 3]) as tf.Tensor4D, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D, 1, 'same'),
    ],
    [
      'an int32 input',
      () =>
        tf.conv2d(
          tf.ones([1, 3, 3, 1], 'int32') as tf.Tensor4D,
          tf.ones([1, 1, 1, 2]) as tf.Tensor4D,
          1,
          'same',
        ),
    ],
    [
      'a rank-3 filter',
      () => tf.conv2d(tf.zeros([1, 5, 5, 1]) as tf.Tensor4D, tf.zeros([3, 3, 1]) as never, 1, 'same'),
    ],
  ])('reject %s with the same error as tfjs on cpu, and stay usable', async (_, call) => {
    const attempt = async (backend: string) => {
      await tf.setBackend(backend);
      try {
        call();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
    const [after] = await forwardRun('wasm', forwardCases[1]!);
    const [reference] = await forwardRun('cpu', forwardCases[1]!);
    expect(maxRelativeDifference(reference!, after!)).toBeLessThan(1e-4);
  });
});

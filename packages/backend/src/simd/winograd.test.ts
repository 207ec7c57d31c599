import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type ConvCase,
  convInfo,
  expectFiniteDifferenceGradients,
  forwardRun,
  gradientRun,
} from '../testing/conv-runs.js';
import { maxRelativeDifference, randomArray, tf } from '../testing/tf.js';
import { setSimdKernelBuild, simdKernelChoice } from './engine.js';
import { setWinogradPolicy, winogradFilterGradientTile, winogradPolicy, winogradTile } from './winograd.js';

const base: Pick<ConvCase, 'kernel' | 'stride' | 'dilation'> = { kernel: [3, 3], stride: 1, dilation: 1 };

// Beyond the models' shapes: odd and non-square sizes (half tiles at the bottom and right edges), 1 and
// 3 input channels (a channel tail shorter than a vector), batch 1, output channels that fill neither a
// vector nor an 8-wide panel, 'same', 'valid' and explicit padding, each activation.
const cases: ConvCase[] = [
  {
    ...base,
    batch: 1,
    height: 7,
    width: 9,
    inChannels: 1,
    outChannels: 5,
    pad: 'same',
    activation: 'relu',
    bias: true,
  },
  {
    ...base,
    batch: 1,
    height: 9,
    width: 7,
    inChannels: 3,
    outChannels: 13,
    pad: 'valid',
    activation: 'linear',
    bias: true,
  },
  {
    ...base,
    batch: 2,
    height: 5,
    width: 5,
    inChannels: 3,
    outChannels: 8,
    pad: 'same',
    activation: 'relu6',
    bias: false,
  },
  {
    ...base,
    batch: 3,
    height: 11,
    width: 10,
    inChannels: 17,
    outChannels: 30,
    pad: 'valid',
    activation: 'relu',
    bias: true,
  },
  {
    ...base,
    batch: 2,
    height: 14,
    width: 14,
    inChannels: 32,
    outChannels: 64,
    pad: 'same',
    activation: 'linear',
    bias: true,
  },
  {
    ...base,
    batch: 1,
    height: 8,
    width: 6,
    inChannels: 6,
    outChannels: 9,
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
    activation: 'linear',
    bias: false,
  },
  // 5x5 filters: F(2x2, 5x5), with a 6x6 patch wider than the 6x8 input of the 'valid' case's rows.
  {
    ...base,
    kernel: [5, 5],
    batch: 1,
    height: 9,
    width: 7,
    inChannels: 3,
    outChannels: 11,
    pad: 'same',
    activation: 'relu',
    bias: true,
  },
  {
    ...base,
    kernel: [5, 5],
    batch: 2,
    height: 6,
    width: 8,
    inChannels: 1,
    outChannels: 4,
    pad: 'valid',
    activation: 'linear',
    bias: false,
  },
  {
    ...base,
    kernel: [5, 5],
    batch: 1,
    height: 9,
    width: 9,
    inChannels: 16,
    outChannels: 20,
    pad: 'same',
    activation: 'relu6',
    bias: true,
  },
];

const detected = simdKernelChoice().build;
afterAll(() => {
  setSimdKernelBuild(detected);
  setWinogradPolicy('auto');
});

describe.each([
  ['relaxed-simd', 'f2x2', 2],
  ['simd128', 'f2x2', 2],
  ['relaxed-simd', 'f4x4', 4],
  ['simd128', 'f4x4', 4],
] as const)('Winograd, %s build, %s', (build, policy, m) => {
  it.each(cases)(
    'forward and gradients $height x $width x $inChannels → $outChannels, batch $batch, pad $pad, $activation',
    async (c) => {
      setSimdKernelBuild(build);
      setWinogradPolicy(policy);
      // 5x5 filters have F(2x2, 5x5) only.
      const tile = c.kernel[0] === 3 ? m : 2;
      expect(winogradTile(convInfo(c))).toBe(tile);
      expect(winogradTile(convInfo(c), { transposed: true })).toBe(tile);
      expect(winogradFilterGradientTile(convInfo(c))).toBe(tile);
      const [reference] = await forwardRun('cpu', c);
      const [ours] = await forwardRun('wasm', c);
      expect(ours!.length).toBe(reference!.length);
      expect(maxRelativeDifference(reference!, ours!)).toBeLessThan(1e-4);
      const [refDx, refDw] = await gradientRun('cpu', c);
      const [dx, dw] = await gradientRun('wasm', c);
      expect(maxRelativeDifference(refDx!, dx!)).toBeLessThan(1e-4);
      expect(maxRelativeDifference(refDw!, dw!)).toBeLessThan(1e-4);
    },
  );
});

describe('Winograd policy', () => {
  // F(2x2, 3x3), F(4x4, 3x3) and F(2x2, 5x5).
  it.each([
    ['f2x2', 1],
    ['f4x4', 1],
    ['f4x4', 6],
  ] as const)(
    'gives filter and input gradients that agree with finite differences, %s, case %i',
    async (policy, index) => {
      setSimdKernelBuild(detected);
      setWinogradPolicy(policy);
      await expectFiniteDifferenceGradients(cases[index]!);
    },
  );

  it('applies only to 3x3 and 5x5 convolutions of stride 1 and dilation 1, and never when told so', () => {
    setWinogradPolicy('f2x2');
    const c = cases[4]!;
    expect(winogradTile(convInfo({ ...c, stride: 2 }))).toBe(0);
    expect(winogradTile(convInfo({ ...c, dilation: 2 }))).toBe(0);
    expect(winogradTile(convInfo({ ...c, kernel: [2, 2] }))).toBe(0);
    expect(winogradTile(convInfo({ ...c, kernel: [3, 5] }))).toBe(0);
    expect(winogradTile(convInfo({ ...c, kernel: [5, 5] }))).toBe(2);
    setWinogradPolicy('never');
    expect(winogradTile(convInfo(c))).toBe(0);
    expect(() => setWinogradPolicy('sometimes' as never)).toThrow(/expected one of auto, f2x2, f4x4, never/);
    expect(winogradPolicy()).toBe('never');
  });

  it('starts from FMNIST_WINOGRAD when it is set, and names it when its value is wrong', async () => {
    const fresh = async (value: string) => {
      vi.stubEnv('FMNIST_WINOGRAD', value);
      vi.resetModules();
      const module = await import('./winograd.js');
      return () => module.winogradPolicy();
    };
    try {
      expect((await fresh('f4x4'))()).toBe('f4x4');
      expect((await fresh(''))()).toBe('auto');
      expect(await fresh('fast')).toThrow("FMNIST_WINOGRAD='fast': expected one of auto, f2x2, f4x4, never");
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it("chooses Winograd by the measured rule on auto: the models' 32-128 channel layers, not a first layer, not a batch-1 7x7", () => {
    setWinogradPolicy('auto');
    const at = (size: number, inChannels: number, outChannels: number) =>
      convInfo({ ...cases[4]!, height: size, width: size, inChannels, outChannels });
    expect(winogradTile(at(28, 32, 32))).toBe(4);
    expect(winogradTile(at(7, 128, 128), { transposed: true })).toBe(4);
    expect(winogradFilterGradientTile(at(7, 128, 128))).toBe(4);
    expect(
      winogradTile(
        convInfo({ ...cases[4]!, kernel: [5, 5], height: 9, width: 9, inChannels: 64, outChannels: 128 }),
      ),
    ).toBe(2);
    expect(
      winogradFilterGradientTile(
        convInfo({ ...cases[4]!, kernel: [5, 5], height: 9, width: 9, inChannels: 64, outChannels: 128 }),
      ),
    ).toBe(2);
    expect(winogradTile(at(28, 1, 32))).toBe(0);
    expect(winogradTile(at(28, 64, 16))).toBe(0);
    expect(winogradTile(at(5, 64, 64))).toBe(0);
    // Batch 1 (inference): 7x7 = 49 output pixels per call do not pay for the filter transform, 9x9 = 81 do.
    const single = (size: number) =>
      convInfo({ ...cases[4]!, batch: 1, height: size, width: size, inChannels: 128, outChannels: 128 });
    expect(winogradTile(single(7))).toBe(0);
    expect(winogradTile(single(7), { transposed: true })).toBe(0);
    // Forward passes keep the filter's transform between calls (packed-filters.ts): no floor.
    expect(winogradTile(single(7), { keptFilter: true })).toBe(4);
    expect(winogradTile(single(9))).toBe(4);
    expect(winogradTile(at(7, 128, 128))).toBe(4);
  });

  it('keeps the tensor count and the wasm heap flat over repeated training steps', async () => {
    setSimdKernelBuild(detected);
    // The default rule's path: F(4x4, 3x3) forward and input gradient, F(2x2, 3x3) filter gradient.
    setWinogradPolicy('auto');
    await tf.setBackend('wasm');
    const x = tf.tensor4d(randomArray(2 * 9 * 9 * 32, 1), [2, 9, 9, 32]);
    const w1 = tf.variable(tf.tensor4d(randomArray(3 * 3 * 32 * 32, 2), [3, 3, 32, 32]));
    const w2 = tf.variable(tf.tensor4d(randomArray(3 * 3 * 32 * 32, 3), [3, 3, 32, 32]));
    expect(
      winogradTile(convInfo({ ...cases[4]!, height: 9, width: 9, inChannels: 32, outChannels: 32 })),
    ).toBe(4);
    const optimizer = tf.train.sgd(1e-3);
    const step = () =>
      optimizer.minimize(() => {
        const hidden = tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, 'same'));
        return tf.sum(tf.square(tf.conv2d(hidden, w2 as tf.Tensor4D, 1, 'same')));
      });
    step();
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    const before = tf.memory().numTensors;
    const heapBefore = heap();
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(heap()).toBe(heapBefore);
    tf.dispose([x, w1, w2]);
    optimizer.dispose();
  });
});

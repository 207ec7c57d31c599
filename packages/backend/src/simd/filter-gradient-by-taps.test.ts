import { afterAll, describe, expect, it } from 'vitest';
import {
  type ConvCase,
  convInfo,
  expectFiniteDifferenceGradients,
  gradientRun,
} from '../testing/conv-runs.js';
import { maxRelativeDifference } from '../testing/tf.js';
import { setSimdKernelBuild, simdKernelChoice } from './engine.js';
import { useFilterGradientByTaps } from './filter-gradient-by-taps.js';
import { setWinogradPolicy } from './winograd.js';

const base = { stride: 1, dilation: 1, activation: 'linear', bias: false } as const;

// 1 to 3 source channels: odd and non-square sizes, batch 1, rows of four pixels that straddle an
// output row and taps past every edge (the one-channel vector path), 'same', 'valid' and explicit
// padding, strides and dilations, output channels that fill neither a vector nor an 8-wide panel.
const cases: ConvCase[] = [
  { ...base, batch: 1, height: 7, width: 9, inChannels: 1, outChannels: 5, kernel: [3, 3], pad: 'same' },
  { ...base, batch: 3, height: 11, width: 10, inChannels: 1, outChannels: 32, kernel: [3, 3], pad: 'valid' },
  { ...base, batch: 2, height: 9, width: 7, inChannels: 3, outChannels: 13, kernel: [3, 3], pad: 'same' },
  {
    ...base,
    batch: 2,
    height: 10,
    width: 10,
    inChannels: 1,
    outChannels: 9,
    kernel: [5, 5],
    pad: 'same',
    dilation: 2,
  },
  {
    ...base,
    batch: 1,
    height: 9,
    width: 8,
    inChannels: 2,
    outChannels: 8,
    kernel: [3, 3],
    pad: 'same',
    stride: 2,
  },
  {
    ...base,
    batch: 2,
    height: 6,
    width: 8,
    inChannels: 1,
    outChannels: 17,
    kernel: [1, 3],
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
];

const detected = simdKernelChoice().build;
afterAll(() => {
  setSimdKernelBuild(detected);
  setWinogradPolicy('auto');
});

describe.each(['relaxed-simd', 'simd128'] as const)('filter gradient by taps, %s build', (build) => {
  it.each(cases)(
    '$height x $width x $inChannels → $outChannels, kernel $kernel, batch $batch, stride $stride, dilation $dilation, pad $pad',
    async (c) => {
      setSimdKernelBuild(build);
      // The direct kernels: Winograd would take the 3x3 stride-1 cases otherwise.
      setWinogradPolicy('never');
      expect(useFilterGradientByTaps(convInfo(c))).toBe(true);
      const [, refDw] = await gradientRun('cpu', c);
      const [, dw] = await gradientRun('wasm', c);
      expect(dw!.length).toBe(refDw!.length);
      expect(maxRelativeDifference(refDw!, dw!)).toBeLessThan(1e-4);
    },
  );
});

describe('filter gradient by taps', () => {
  it('agrees with finite differences', async () => {
    setSimdKernelBuild(detected);
    setWinogradPolicy('auto');
    // Few outputs, so that float32 differences of the loss stay precise; x needs 78 entries.
    await expectFiniteDifferenceGradients({
      ...cases[0]!,
      height: 9,
      width: 10,
      outChannels: 4,
      pad: 'valid',
    });
  });

  it('runs for 1 to 3 source channels only', () => {
    expect(useFilterGradientByTaps(convInfo({ ...cases[2]!, inChannels: 3 }))).toBe(true);
    expect(useFilterGradientByTaps(convInfo({ ...cases[2]!, inChannels: 4 }))).toBe(false);
  });
});

import { getKernel } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setSimdKernelBuild, simdKernelChoice } from '../simd/engine.js';
import { errorOn, onBackend, tf } from '../testing/tf.js';

type Shape = [number, number, number, number];
type Window = number | [number, number];
type Pool = [Shape, Window, Window, 'same' | 'valid' | number, ('floor' | 'ceil' | 'round')?];

// Separate, overlapping and padded windows, strides smaller and larger than the window, rectangular
// windows, explicit padding with rounding; odd sizes, batch 1, 1 and 3 channels and channel counts that
// are and are not a multiple of the kernel's four lanes (the model's: 32 and 64, 2x2 windows, stride 2).
const cases: Pool[] = [
  [[2, 28, 28, 32], 2, 2, 'valid'],
  [[1, 7, 7, 64], 2, 2, 'same'],
  [[2, 9, 9, 3], 3, 3, 'valid'],
  [[1, 11, 13, 1], 3, 2, 'same'],
  [[2, 9, 9, 5], 3, 2, 'same'],
  [[1, 7, 8, 6], 3, 1, 'valid'],
  [[2, 5, 5, 4], 2, 2, 'same'],
  [[1, 8, 8, 7], 3, 1, 'same'],
  [[1, 10, 9, 9], 2, 3, 'valid'],
  [[2, 9, 11, 8], [2, 3], [1, 2], 'same'],
  [[1, 9, 9, 12], 3, 2, 1, 'ceil'],
  [[1, 10, 10, 4], 3, 3, 2, 'floor'],
  // Rounding that does not divide: the forward pass's dy has a row and column more than the gradient's
  // pooling counts (tfjs-core drops dimRoundingMode there), which the cpu backend leaves out.
  [[1, 10, 10, 4], 3, 2, 1, 'ceil'],
  [[2, 8, 8, 3], 3, 2, 1, 'round'],
];

// Small integers make ties common: the first maximum of each window must get the gradient. Every
// 23rd value -Infinity and every 29th NaN, which never win; with `hopeless`, the first half is only
// -Infinity and NaN, whose windows pass nothing on.
function values(count: number, hopeless = false): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => {
    if (hopeless && i < count / 2) return i % 3 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
    if (i % 29 === 5) return Number.NaN;
    if (i % 23 === 3) return Number.NEGATIVE_INFINITY;
    return ((i * 7919) % 5) - 2;
  });
}

function gradient(backend: string, [shape, size, stride, pad, rounding]: Pool, hopeless = false) {
  const x = values(
    shape.reduce((a, b) => a * b, 1),
    hopeless,
  );
  return onBackend(backend, () => {
    // Distinct weights per output, so each window's gradient is traceable.
    const f = (input: tf.Tensor4D) => {
      const pooled = tf.maxPool(input, size, stride, pad, rounding);
      return tf.sum(tf.mul(pooled, tf.reshape(tf.range(1, pooled.size + 1, 1, 'float32'), pooled.shape)));
    };
    return [tf.tidy(() => tf.grad(f as (t: tf.Tensor) => tf.Tensor)(tf.tensor4d(x, shape)))];
  });
}

const detected = simdKernelChoice().build;
afterAll(() => setSimdKernelBuild(detected));

// 'off': the JavaScript loop that runs where our SIMD kernels cannot.
describe.each(['relaxed-simd', 'simd128', 'off'] as const)('MaxPoolGrad on wasm, %s build', (build) => {
  it.each(cases)(
    'matches cpu bit for bit: input %j, window %j, stride %j, pad %j, rounding %s',
    async (...pool) => {
      setSimdKernelBuild(build);
      const [reference] = await gradient('cpu', pool);
      const [ours] = await gradient('wasm', pool);
      expect(ours).toEqual(reference);
      expect(reference!.some((v) => v !== 0)).toBe(true);
    },
  );

  it('passes nothing on from windows of only -Infinity and NaN', async () => {
    setSimdKernelBuild(build);
    const pool: Pool = [[2, 6, 6, 7], 2, 2, 'valid'];
    const [reference] = await gradient('cpu', pool, true);
    const [ours] = await gradient('wasm', pool, true);
    expect(ours).toEqual(reference);
    expect(reference!.slice(0, reference!.length / 2).every((v) => v === 0)).toBe(true);
    expect(reference!.some((v) => v !== 0)).toBe(true);
  });
});

describe('MaxPoolGrad on wasm', () => {
  it('is registered, and frees what it makes', async () => {
    setSimdKernelBuild(detected);
    expect(getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    await gradient('wasm', cases[0]!);
    const before = tf.memory().numTensors;
    await gradient('wasm', cases[0]!);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    ['a rank-5 input', [1, 1, 4, 4, 1], (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
    [
      'a fractional pad with rounding',
      [1, 4, 4, 1],
      (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 0.5, 'floor'),
    ],
    [
      'an unknown padding',
      [1, 4, 4, 1],
      (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'full' as never),
    ],
  ] as const)('rejects %s with the same error as tfjs on cpu, and stays usable', async (_, shape, pool) => {
    const attempt = (backend: string) =>
      errorOn(backend, () => tf.grad((x: tf.Tensor) => tf.sum(pool(x)))(tf.zeros([...shape])));
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
    expect((await gradient('wasm', cases[3]!))[0]).toEqual((await gradient('cpu', cases[3]!))[0]);
  });
});

describe('MaxPoolGrad called directly', () => {
  it('names a dy too small for the pooling, frees its output and stays usable', async () => {
    await tf.setBackend('wasm');
    const input = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 2, 3, 2]);
    const before = tf.memory().numBytes;
    expect(() =>
      tf
        .engine()
        .runKernel('MaxPoolGrad', { dy, input, output: input }, { filterSize: 2, strides: 2, pad: 'valid' }),
    ).toThrow('MaxPoolGrad: dy has shape [1, 2, 3, 2], expected [1, 3, 3, 2]');
    expect(tf.memory().numBytes).toBe(before);
    tf.dispose([input, dy]);
    expect((await gradient('wasm', cases[3]!))[0]).toEqual((await gradient('cpu', cases[3]!))[0]);
  });
});

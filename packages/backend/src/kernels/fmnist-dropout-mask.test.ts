import { fillUniform } from '@fmnist/random';
import { describe, expect, it } from 'vitest';
import { tf } from '../testing/tf.js';
import { dropoutMask, keptBelow } from './fmnist-dropout-mask.js';

/** The mask as @fmnist/random's JavaScript loop gives it: 1/keep where u < keep, both in float32. */
function maskInJavaScript(count: number, rate: number, seed: number): Float32Array {
  const keep = Math.fround(1 - rate);
  const kept = Math.fround(1 / keep);
  const mask = new Float32Array(count);
  fillUniform(mask, seed);
  for (let i = 0; i < count; i++) mask[i] = mask[i]! < keep ? kept : 0;
  return mask;
}

describe('dropoutMask', () => {
  it.each([
    [[64, 14, 14, 32], 0.1, 42],
    [[7], 0.5, 0],
    [[3, 5], 0, 2 ** 32 - 1],
    [[1], 0.9, 123456789],
  ])('draws the mask of @fmnist/random for shape %j, rate %d, seed %d', async (shape, rate, seed) => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const mask = dropoutMask(shape, rate, seed)!;
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(mask.shape).toEqual(shape);
    const want = maskInJavaScript(mask.size, rate, seed);
    const got = mask.dataSync();
    // The first difference, not a diff of 400,000 values.
    expect(want.findIndex((value, i) => value !== got[i])).toBe(-1);
    if (mask.size > 1000) {
      const keptShare = want.filter((v) => v > 0).length / want.length;
      expect(Math.abs(keptShare - (1 - rate))).toBeLessThan(0.01);
    }
    mask.dispose();
  });

  it.each([0, 0.1, 0.5, 0.9, 2 ** -24])(
    'keeps exactly the generator outputs whose float32 number is below 1 − rate (rate %d)',
    (rate) => {
      const keep = Math.fround(1 - rate);
      const threshold = keptBelow(keep);
      expect(Math.fround((threshold - 1) / 2 ** 32)).toBeLessThan(keep);
      expect(Math.fround(threshold / 2 ** 32)).toBeGreaterThanOrEqual(keep);
    },
  );

  it('leaves other backends to the caller and refuses a rate outside [0, 1)', async () => {
    await tf.setBackend('cpu');
    expect(dropoutMask([4], 0.5, 1)).toBeUndefined();
    await tf.setBackend('wasm');
    for (const rate of [1, -0.1, Number.NaN])
      expect(() => dropoutMask([4], rate, 1)).toThrow(`dropoutMask: rate must be in [0, 1), got ${rate}`);
  });
});

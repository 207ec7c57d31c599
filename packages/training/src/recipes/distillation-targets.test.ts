import { describe, expect, it } from 'vitest';
import { distillationTargets } from './distillation-targets.js';

describe('distillation targets', () => {
  const targets = new Float32Array(30);
  for (let row = 0; row < 3; row++)
    for (let k = 0; k < 10; k++) targets[row * 10 + k] = k === row ? 0.55 : 0.05;

  it('mix (1 - alpha) of the one-hot label with alpha of the teachers, for the rows the batch holds', () => {
    const y = new Float32Array(20);
    distillationTargets(y, Uint8Array.of(7, 0), Uint32Array.of(2, 0), targets, 0.4);
    expect(y[7]).toBeCloseTo(0.6 + 0.4 * 0.05);
    expect(y[2]).toBeCloseTo(0.4 * 0.55);
    expect(y[10]).toBeCloseTo(0.6 + 0.4 * 0.55);
    for (const row of [0, 1])
      expect(y.subarray(row * 10, row * 10 + 10).reduce((a, b) => a + b)).toBeCloseTo(1);
    distillationTargets(y, Uint8Array.of(7, 0), Uint32Array.of(2, 0), targets, 0);
    expect(Array.from(y.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { mixSeed } from './mix-seed.js';

describe('mixSeed', () => {
  it('is a pure 32-bit function of both arguments', () => {
    expect(mixSeed(42, 7)).toBe(mixSeed(42, 7));
    expect(Number.isInteger(mixSeed(42, 7)) && mixSeed(42, 7) >= 0 && mixSeed(42, 7) < 2 ** 32).toBe(true);
    expect(mixSeed(42, 7)).not.toBe(mixSeed(7, 42));
  });

  it('gives distinct seeds where seed * 1000 + epoch collides, and no collisions over a run', () => {
    expect(mixSeed(1, 1000)).not.toBe(mixSeed(2, 0));
    const seen = new Set<number>();
    for (let seed = 0; seed < 20; seed++)
      for (let epoch = 0; epoch < 500; epoch++) seen.add(mixSeed(mixSeed(seed, epoch), 0));
    expect(seen.size).toBe(20 * 500);
  });

  it('spreads consecutive inputs over every bit', () => {
    const ones = new Array(32).fill(0);
    for (let b = 0; b < 4096; b++) {
      const h = mixSeed(5, b);
      for (let bit = 0; bit < 32; bit++) ones[bit] += (h >>> bit) & 1;
    }
    for (const count of ones) expect(Math.abs(count - 2048)).toBeLessThan(200);
  });
});

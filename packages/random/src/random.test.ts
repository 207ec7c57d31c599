import { describe, expect, it } from 'vitest';
import { createRng, fillUniform, permutation, shuffleInPlace } from './index.js';

describe('createRng', () => {
  it('gives the same stream for the same seed, and continues it from its state', () => {
    const a = createRng(42);
    const b = createRng(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    const resumed = createRng(a.state);
    expect(Array.from({ length: 3 }, () => resumed.next())).toEqual(
      Array.from({ length: 3 }, () => a.next()),
    );
    expect(createRng(43).next()).not.toBe(first[0]);
  });

  it('draws uniformly: int in [0, n), uniform in [low, high), mean near the middle', () => {
    const rng = createRng(1);
    const counts = new Array(4).fill(0);
    let sum = 0;
    for (let i = 0; i < 40_000; i++) {
      counts[rng.int(4)] += 1;
      const u = rng.uniform(-2, 3);
      expect(u >= -2 && u < 3).toBe(true);
      sum += u;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(Math.abs(sum / 40_000 - 0.5)).toBeLessThan(0.05);
  });
});

describe('fillUniform', () => {
  it("fills with createRng's stream and returns the state that continues it", () => {
    const filled = new Float64Array(6);
    const state = fillUniform(filled, 9);
    const rng = createRng(9);
    expect(Array.from(filled)).toEqual(Array.from({ length: 6 }, () => rng.next()));
    expect(state).toBe(rng.state);
    const single = new Float32Array(6);
    fillUniform(single, 9);
    expect(Array.from(single)).toEqual(Array.from(filled, Math.fround));
  });
});

describe('permutation and shuffleInPlace', () => {
  it('hold every index once, shuffled reproducibly by the seed', () => {
    const p = permutation(100, createRng(7));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p)).toEqual(Array.from(permutation(100, createRng(7))));
    expect(Array.from(permutation(5))).toEqual([0, 1, 2, 3, 4]);
    const values = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect(shuffleInPlace(values, createRng(3))).toBe(values);
    expect(Array.from(values).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

import { describe, expect, it } from 'vitest';
import type { ImageSet } from './image-set.js';
import { splitValidation, takeSamples } from './split.js';

// Each image holds its own index in its single pixel, so samples can be traced through a split.
function tracedSet(count: number, labelOf: (i: number) => number): ImageSet {
  return {
    images: Uint8Array.from({ length: count }, (_, i) => i % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => labelOf(i)),
    count,
    height: 1,
    width: 1,
    channels: 1,
  };
}

describe('splitValidation', () => {
  const set = tracedSet(200, (i) => (i < 150 ? 0 : 1 + (i % 3)));

  it('puts every sample in exactly one part', () => {
    const { train, validation } = splitValidation(set, 0.25, { seed: 3 });
    expect(train.count + validation.count).toBe(200);
    const seen = [...train.images, ...validation.images].sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i).sort((a, b) => a - b));
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = splitValidation(set, 0.2, { seed: 7 }).validation.images;
    const b = splitValidation(set, 0.2, { seed: 7 }).validation.images;
    const c = splitValidation(set, 0.2, { seed: 8 }).validation.images;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('keeps class ratios when stratified', () => {
    const { validation } = splitValidation(set, 0.2, { seed: 1, stratify: true });
    const counts = [0, 0, 0, 0];
    for (const label of validation.labels) counts[label]! += 1;
    // 150 of class 0 and 50 split over classes 1–3 (17, 17, 16): 20% of each, rounded.
    expect(counts).toEqual([30, 3, 3, 3]);
  });

  it('keeps labels attached to their images', () => {
    const { train } = splitValidation(set, 0.3, { seed: 2 });
    for (let i = 0; i < train.count; i++) expect(train.labels[i]).toBe(set.labels[train.images[i]!]);
  });

  it('rejects a fraction outside [0, 1)', () => {
    expect(() => splitValidation(set, 1)).toThrow('splitValidation: fraction must be in [0, 1), got 1');
    expect(() => splitValidation(set, -0.1)).toThrow(/fraction/);
  });
});

describe('takeSamples', () => {
  it('takes the first samples', () => {
    expect(
      Array.from(
        takeSamples(
          tracedSet(10, () => 0),
          3,
        ).images,
      ),
    ).toEqual([0, 1, 2]);
  });
  it('rejects a non-positive count', () => {
    expect(() =>
      takeSamples(
        tracedSet(10, () => 0),
        0,
      ),
    ).toThrow(/count must be a positive integer/);
  });
});

import { describe, expect, it } from 'vitest';
import { batches } from './batches.js';
import type { ImageSet } from './image-set.js';

const set: ImageSet = {
  images: Uint8Array.from({ length: 103 * 2 }, (_, i) => Math.floor(i / 2)),
  labels: Uint8Array.from({ length: 103 }, (_, i) => i % 10),
  count: 103,
  height: 1,
  width: 2,
  channels: 1,
};

describe('batches', () => {
  it('yields every sample exactly once, remainder included', () => {
    const all = [...batches(set, 10, { shuffle: true, seed: 4 })];
    expect(all.map((b) => b.count)).toEqual([...new Array(10).fill(10), 3]);
    const firstPixels = all.flatMap((b) => Array.from({ length: b.count }, (_, i) => b.images[2 * i]!));
    expect(firstPixels.sort((a, b) => a - b)).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('keeps images and labels together', () => {
    for (const batch of batches(set, 16, { shuffle: true, seed: 1 })) {
      for (let i = 0; i < batch.count; i++) {
        expect(batch.labels[i]).toBe(batch.images[2 * i]! % 10);
        expect(batch.indices[i]).toBe(batch.images[2 * i]);
      }
    }
  });

  it('drops the remainder on request', () => {
    expect([...batches(set, 10, { dropRemainder: true })].map((b) => b.count)).toEqual(
      new Array(10).fill(10),
    );
  });

  it('is reproducible for a seed, in order without shuffle', () => {
    const order = (seed: number) => [...batches(set, 103, { shuffle: true, seed })][0]!.indices;
    expect(order(5)).toEqual(order(5));
    expect(order(5)).not.toEqual(order(6));
    expect(Array.from([...batches(set, 103)][0]!.indices)).toEqual(Array.from({ length: 103 }, (_, i) => i));
  });

  it('rejects a bad batch size', () => {
    expect(() => [...batches(set, 0)]).toThrow('batches: batchSize must be a positive integer, got 0');
  });
});

describe('batches of a 3-channel set', () => {
  it('keeps each image whole: height * width * 3 bytes, with its label', () => {
    const rgb: ImageSet = {
      images: Uint8Array.from({ length: 5 * 2 * 3 }, (_, p) => Math.floor(p / 6)),
      labels: Uint8Array.from({ length: 5 }, (_, i) => i),
      count: 5,
      height: 1,
      width: 2,
      channels: 3,
    };
    for (const batch of batches(rgb, 2, { shuffle: true, seed: 3 })) {
      expect(batch.images).toHaveLength(batch.count * 6);
      for (let i = 0; i < batch.count; i++)
        expect(Array.from(batch.images.subarray(i * 6, (i + 1) * 6))).toEqual(
          new Array(6).fill(batch.labels[i]),
        );
    }
  });
});

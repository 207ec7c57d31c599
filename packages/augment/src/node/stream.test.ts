import { describe, expect, it } from 'vitest';
import { batchSeed, createAugmenter } from '../augmenter.js';
import type { ImageBatch } from '../image-batch.js';
import { randomAffine } from '../random-affine.js';
import { randomCrop } from '../random-crop.js';
import { augmentStream } from './stream.js';

const batches = (count: number): ImageBatch[] =>
  Array.from({ length: count }, (_, b) => ({
    data: Uint8Array.from({ length: 4 * 8 * 8 }, (_, i) => (i * 7 + b * 13) % 256),
    shape: [4, 8, 8, 1],
  }));

describe('augmentStream', () => {
  const pipeline = [randomCrop({ padding: 2 }), randomAffine({ rotationRange: 20 })];

  it('yields every batch in order, each as its batch seed gives it, whatever the worker count', async () => {
    const input = batches(7);
    const expected = input.map(
      (batch, i) => createAugmenter(pipeline, { seed: batchSeed(5, i) })(batch).data,
    );
    for (const workers of [1, 2]) {
      const got: Uint8Array[] = [];
      for await (const batch of augmentStream(input, pipeline, { workers, seed: 5, prefetch: 3 }))
        got.push(batch.data as Uint8Array);
      expect(got).toEqual(expected);
    }
    // The input batches are untouched (the stream sends copies).
    expect(input[0]!.data).toEqual(batches(1)[0]!.data);
  });

  it('keeps the other fields of each batch (labels, ids) with it', async () => {
    const labelled = batches(5).map((batch, i) => ({
      ...batch,
      labels: Uint8Array.of(i, i, i, i),
      id: `b${i}`,
    }));
    const seen: string[] = [];
    for await (const batch of augmentStream(labelled, pipeline, { workers: 2, seed: 1, prefetch: 2 }))
      seen.push(`${batch.id}:${Array.from(batch.labels).join('')}`);
    expect(seen).toEqual(['b0:0000', 'b1:1111', 'b2:2222', 'b3:3333', 'b4:4444']);
  });

  it('refuses a batch holding NaN before sending it to a worker, naming the batch, image and pixel', async () => {
    const floats: ImageBatch[] = [0, 1].map((b) => ({
      data: Float32Array.from({ length: 2 * 4 }, (_, i) => (b === 1 && i === 6 ? Number.NaN : i)),
      shape: [2, 2, 2, 1],
    }));
    await expect(
      (async () => {
        for await (const _ of augmentStream(floats, pipeline, { workers: 1 }));
      })(),
    ).rejects.toThrow(
      'augmentStream: batch 1 data holds NaN at index 6 (image 1, pixel 2); expected finite pixel values',
    );
  });

  it('rejects a bad worker count', async () => {
    await expect(augmentStream(batches(1), pipeline, { workers: 0 }).next()).rejects.toThrow(
      'augmentStream: workers must be a positive integer, got 0',
    );
  });
});

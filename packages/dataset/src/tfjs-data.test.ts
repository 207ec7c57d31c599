import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import type { ImageSet } from './image-set.js';
import { type PixelBatch, toTfDataset } from './tfjs-data.js';

/** 10 images of 2x2, image i filled with the value 10 * i, labelled i. */
const set: ImageSet = {
  images: Uint8Array.from({ length: 40 }, (_, p) => 10 * Math.floor(p / 4)),
  labels: Uint8Array.from({ length: 10 }, (_, i) => i),
  count: 10,
  height: 2,
  width: 2,
  channels: 1,
} as ImageSet;

async function labelsOfPass(dataset: ReturnType<typeof toTfDataset>): Promise<number[][]> {
  const out: number[][] = [];
  await dataset.forEachAsync(({ xs, ys }) => {
    const labels = Array.from(tf.tidy(() => tf.argMax(ys, -1).dataSync()));
    // Each image's pixels still belong to its label after batching and shuffling.
    expect(Array.from(xs.dataSync()).filter((_, p) => p % 4 === 0)).toEqual(
      labels.map((l) => Math.fround((10 * l) / 255)),
    );
    out.push(labels);
  });
  return out;
}

describe('toTfDataset', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('gives { xs, ys } batches, a new seeded shuffle each pass, the same passes for the same seed', async () => {
    const a = toTfDataset(set, { batchSize: 4, seed: 7 });
    const first = await labelsOfPass(a);
    expect(first.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(first.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const second = await labelsOfPass(a);
    expect(second).not.toEqual(first);
    const b = toTfDataset(set, { batchSize: 4, seed: 7 });
    expect([await labelsOfPass(b), await labelsOfPass(b)]).toEqual([first, second]);
    const inOrder = await labelsOfPass(
      toTfDataset(set, { batchSize: 4, shuffle: false, dropRemainder: true }),
    );
    expect(inOrder).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it('applies the augment hook to the pixels, and gives int32 labels with oneHot false', async () => {
    const seen: PixelBatch[] = [];
    const dataset = toTfDataset(set, {
      batchSize: 10,
      shuffle: false,
      oneHot: false,
      normalize: false,
      augment: (batch) => {
        seen.push(batch);
        return { data: batch.data.map((v) => 255 - v), shape: batch.shape };
      },
    });
    const [first] = await dataset.toArray();
    const { xs, ys } = first!;
    expect(seen[0]!.shape).toEqual([10, 2, 2, 1]);
    expect(xs!.dataSync()[4]).toBe(245);
    expect(ys!.dtype).toBe('int32');
    expect(Array.from(ys!.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    tf.dispose([xs!, ys!]);
  });

  it('trains a model with fitDataset without leaving tensors behind', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [2, 2, 1] }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const dataset = toTfDataset(set, { batchSize: 4 });
    await model.fitDataset(dataset, { epochs: 1 });
    const before = tf.memory().numTensors;
    const history = await model.fitDataset(dataset, { epochs: 3 });
    expect(history.history.loss).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [
      { ...set, labels: set.labels.subarray(0, 9) },
      {},
      /toTfDataset: set claims 10 samples of 2x2x1, but has 40 pixel bytes and 9 labels/,
    ],
    [set, { batchSize: 0 }, /toTfDataset: batchSize must be a positive integer, got 0/],
    [set, { augment: 'flip' }, /toTfDataset: augment must be a function/],
  ])('rejects bad input when the dataset is made (%#)', (bad, options, message) => {
    expect(() => toTfDataset(bad as ImageSet, options as never)).toThrow(DatasetError);
    expect(() => toTfDataset(bad as ImageSet, options as never)).toThrow(message);
  });

  it('gives [n, height, width, 3] batches of a 3-channel set, and the augment hook sees that shape', async () => {
    const rgb: ImageSet = {
      ...set,
      images: Uint8Array.from({ length: 120 }, (_, p) => Math.floor(p / 12)),
      channels: 3,
    };
    const seen: PixelBatch['shape'][] = [];
    const dataset = toTfDataset(rgb, {
      batchSize: 4,
      normalize: false,
      oneHot: false,
      augment: (b) => {
        seen.push(b.shape);
        return b;
      },
    });
    await dataset.forEachAsync(({ xs, ys }) => {
      expect(xs.shape.slice(1)).toEqual([2, 2, 3]);
      const labels = Array.from(ys.dataSync());
      expect(Array.from(xs.dataSync())).toEqual(labels.flatMap((l) => new Array(12).fill(l)));
    });
    expect(seen.map((s) => s[3])).toEqual([3, 3, 3]);
    expect(() => toTfDataset({ ...rgb, channels: 4 as never })).toThrow(
      new DatasetError('toTfDataset: set.channels must be 1 or 3, got 4'),
    );
  });

  it('rejects an augment hook that changes the number of values, naming it', async () => {
    const dataset = toTfDataset(set, { augment: (b) => ({ data: b.data.subarray(1), shape: b.shape }) });
    await expect(dataset.toArray()).rejects.toThrow(/augment returned 39 values for a batch of 40/);
  });
});

import '@tensorflow/tfjs-backend-cpu';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { toTfDataset } from '@fmnist/dataset/tfjs-data';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAugmenter } from './augmenter.js';
import { AugmentError } from './errors.js';
import { randomCrop } from './random-crop.js';
import { randomFlip } from './random-flip.js';
import { augmentDataset } from './tfjs.js';

beforeAll(() => tf.setBackend('cpu'));

describe('augmentDataset', () => {
  const images = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 6, 1]);

  it('augments xs inside a tf.data pipeline, passing ys through, from a seeded stream', async () => {
    const base = tfd.array([0, 1, 2, 3]).map(() => ({ xs: images.clone(), ys: tf.scalar(7) }));
    const seen = await augmentDataset(base, randomFlip(), { seed: 3 }).toArray();
    const rows = seen.map(({ xs }) => Array.from(xs.dataSync()));
    for (const row of rows)
      expect([
        [1, 2, 3, 4, 5, 6],
        [6, 5, 4, 3, 2, 1],
      ]).toContainEqual(row);
    expect(new Set(rows.map(String)).size).toBe(2);
    expect(seen.every(({ ys }) => ys.dataSync()[0] === 7)).toBe(true);
    const again = await augmentDataset(base, [randomFlip()], { seed: 3 }).toArray();
    expect(again.map(({ xs }) => Array.from(xs.dataSync()))).toEqual(rows);
    tf.dispose([...seen, ...again].flatMap(({ xs, ys }) => [xs, ys]));
  });

  it('refuses xs holding NaN or ±Infinity, naming the image and pixel of the batch and the value', async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const base = tfd.array([0, 1]).map((i) => ({
        xs: tf.tensor4d(i === 1 ? [1, 2, 3, 4, 5, 6, 7, bad] : [1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 4, 1]),
      }));
      await expect(augmentDataset(base, randomFlip()).toArray()).rejects.toThrow(
        new AugmentError(
          `augmentDataset: xs holds ${bad} at index 7 (image 1, pixel 3); expected finite pixel values`,
        ),
      );
    }
  });

  it('rejects what is not a dataset of image batches, naming the argument', async () => {
    expect(() => augmentDataset([] as never, randomFlip())).toThrow(AugmentError);
    const flat = tfd.array([0]).map(() => ({ xs: tf.zeros([6]) }));
    await expect(augmentDataset(flat, randomFlip()).toArray()).rejects.toThrow(
      /each element's xs must be a \[n, height, width, channels\] tensor, got shape \[6\]/,
    );
  });
});

const hasData = await loadFashionMnist({ download: false }).then(
  () => true,
  () => false,
);

describe.skipIf(!hasData)('model.fitDataset on real Fashion-MNIST with augmentation', () => {
  it('learns from toTfDataset + augment (hook and pipeline stage) without leaking tensors', async () => {
    const { train, test } = await loadFashionMnist({ download: false });
    const take = (set: typeof train, count: number) => ({
      ...set,
      count,
      images: set.images.subarray(0, count * 784),
      labels: set.labels.subarray(0, count),
    });
    const dataset = augmentDataset(
      toTfDataset(take(train, 4000), {
        batchSize: 100,
        seed: 1,
        augment: createAugmenter(randomCrop({ padding: 2 })),
      }),
      randomFlip(),
      { seed: 2 },
    );
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [28, 28, 1] }),
        tfl.layers.dense({ units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({
      optimizer: tf.train.adam(0.003),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    await model.fitDataset(dataset, { epochs: 1 });
    const before = tf.memory().numTensors;
    await model.fitDataset(dataset, { epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const [evaluation] = await toTfDataset(take(test, 1000), { batchSize: 1000, shuffle: false }).toArray();
    const accuracy = tf.tidy(() => {
      const predicted = tf.argMax(model.predict(evaluation!.xs) as tf.Tensor, -1);
      return tf.mean(tf.cast(tf.equal(predicted, tf.argMax(evaluation!.ys, -1)), 'float32')).dataSync()[0]!;
    });
    tf.dispose(evaluation!);
    expect(accuracy).toBeGreaterThan(0.65);
  }, 120_000);
});

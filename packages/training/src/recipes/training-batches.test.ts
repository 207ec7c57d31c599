import type { ImageSet } from '@fmnist/dataset';
import { QUICK_RECIPE, type Recipe } from '@fmnist/model';
import { mixSeed } from '@fmnist/random';
import { describe, expect, it } from 'vitest';
import type { TrainingBatch } from '../data-parallel/fit.js';
import { TrainingError } from '../errors.js';
import { newTrainingState } from '../run-state/training-state.js';
import { trainingBatches } from './training-batches.js';

/** 10 images of 4x4 whose pixels all hold the image's index, labelled index % 10. */
const train: ImageSet = {
  count: 10,
  height: 4,
  width: 4,
  channels: 1,
  images: Uint8Array.from({ length: 160 }, (_, i) => Math.floor(i / 16)),
  labels: Uint8Array.from({ length: 10 }, (_, i) => i % 10),
};
const recipe: Recipe = { ...QUICK_RECIPE, batchSize: 4, augment: { type: 'none' } };
/** The image each row of a batch holds, from its pixels. */
const imagesOf = (batch: TrainingBatch) =>
  Array.from({ length: batch.xShape[0]! }, (_, i) => Math.round(batch.x[i * 16]! * 255));

describe('trainingBatches', () => {
  it('shuffles each epoch with a seed of its own (mixSeed of the run seed and epoch), one-hot labels, pixels in [0, 1]', () => {
    const epochs = trainingBatches({ train, recipe, seed: 3 });
    const first = [...epochs(0)];
    expect(first.map((b) => b.xShape)).toEqual([
      [4, 4, 4, 1],
      [4, 4, 4, 1],
      [2, 4, 4, 1],
    ]);
    const order = first.flatMap(imagesOf);
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(first[0]!.y.subarray(0, 10))).toEqual(
      Array.from({ length: 10 }, (_, k) => (k === order[0]! % 10 ? 1 : 0)),
    );
    expect(Math.max(...first.map((b) => Math.max(...b.x)))).toBeLessThanOrEqual(1);
    const second = [...epochs(1)].flatMap(imagesOf);
    expect(second).not.toEqual(order);
    // Seeds that collided before (seed * 1000 + epoch: seed 0 epoch 1000 and seed 1 epoch 0) differ now.
    expect(mixSeed(0, 1000)).not.toBe(mixSeed(1, 0));
  });

  it('gives the same batches for the same seed, and a resumed epoch only the batches not done', () => {
    const augmented: Recipe = { ...recipe, augment: { type: 'shiftFlip', padding: 1, horizontalFlip: true } };
    const unbroken = [...trainingBatches({ train, recipe: augmented, seed: 5 })(0)];
    expect([...trainingBatches({ train, recipe: augmented, seed: 5 })(0)]).toEqual(unbroken);
    // A run stopped after the first batch: its state says so, with the augmentation stream after it.
    const state = newTrainingState(5);
    const stream = trainingBatches({ train, recipe: augmented, seed: 5, state: () => state })(0);
    stream.next();
    const resumed = { ...state, batchInEpoch: 1 };
    const rest = [...trainingBatches({ train, recipe: augmented, seed: 5, state: () => resumed })(0)];
    expect(rest).toEqual(unbroken.slice(1));
  });

  it("mixes distillation targets with the labels, by the recipe's alpha", () => {
    const targets = new Float32Array(100).fill(0.1);
    const distill = { teachers: ['shipped'], tta: 'none' as const, alpha: 0.5, temperature: 1 };
    const [batch] = trainingBatches({ train, recipe: { ...recipe, distill }, seed: 1, targets })(0);
    const label = imagesOf(batch!)[0]! % 10;
    expect(batch!.y[label]).toBeCloseTo(0.55);
    expect(batch!.y[(label + 1) % 10]).toBeCloseTo(0.05);
    expect(() => trainingBatches({ train, recipe, seed: 1, targets })).toThrow(TrainingError);
  });
});

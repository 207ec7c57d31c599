import { createAugmenter } from '@fmnist/augment';
import { batches, type ImageSet } from '@fmnist/dataset';
import type { Recipe } from '@fmnist/model';
import type { TrainingBatch } from '@fmnist/training/node';
import { buildAugmentation } from './build.js';
import type { TrainingState } from './checkpoint.js';
import { distillationTargets } from './distill.js';

/**
 * The batches of each epoch: a seeded shuffle per epoch, the recipe's augmentation from the stream whose
 * state `state.augmentState` keeps (so a checkpoint continues it exactly), pixels scaled to [0, 1], and
 * one-hot labels (or distillation targets). A resumed epoch skips the batches already done.
 */
export function trainingBatches({
  train,
  recipe,
  seed,
  state,
  targets,
}: {
  train: ImageSet;
  recipe: Recipe;
  seed: number;
  state: () => TrainingState;
  targets?: Float32Array;
}): (epoch: number) => Generator<TrainingBatch> {
  const pipeline = buildAugmentation(recipe);
  const shape = [train.height, train.width, train.channels] as const;
  const size = shape[0] * shape[1] * shape[2];
  return function* epochBatches(epoch) {
    const now = state();
    const augment = createAugmenter(pipeline, { seed: now.augmentState });
    const skip = epoch === now.epoch ? now.batchInEpoch : 0;
    let index = 0;
    for (const batch of batches(train, recipe.batchSize, { shuffle: true, seed: seed * 1000 + epoch })) {
      if (index++ < skip) continue;
      const augmented = augment({ data: batch.images, shape: [batch.count, ...shape] });
      // The augmentation stream's state after this batch: a checkpoint taken now continues from here.
      state().augmentState = augment.state;
      const x = new Float32Array(batch.count * size);
      for (let i = 0; i < x.length; i++) x[i] = augmented.data[i]! / 255;
      const y = new Float32Array(batch.count * 10);
      if (targets) distillationTargets(y, batch.labels, batch.indices, targets, recipe.distill!.alpha);
      else for (let i = 0; i < batch.count; i++) y[i * 10 + batch.labels[i]!] = 1;
      yield { x, xShape: [batch.count, ...shape], y, yShape: [batch.count, 10] };
    }
  };
}

import { createAugmenter } from '@fmnist/augment';
import { batches, type ImageSet } from '@fmnist/dataset';
import type { Recipe } from '@fmnist/model';
import { mixSeed } from '@fmnist/random';
import type { TrainingBatch } from '../data-parallel/fit.js';
import { TrainingError } from '../errors.js';
import { newTrainingState, type TrainingState } from '../run-state/training-state.js';
import { buildAugmentation } from './build-augmentation.js';
import { distillationTargets } from './distillation-targets.js';

/** What the batches read of where a run stands, and update: the augmentation stream's state. */
type BatchState = Pick<TrainingState, 'epoch' | 'batchInEpoch' | 'augmentState'>;

export interface TrainingBatchesOptions {
  train: ImageSet;
  recipe: Recipe;
  /** The run's seed: each epoch's shuffle comes from it and the epoch. */
  seed: number;
  /**
   * Where the run stands (`RunProgress`'s `state`), read as each epoch starts; its `augmentState` is
   * updated after every batch, so a checkpoint continues the stream exactly. Default: a new run's.
   */
  state?: () => BatchState;
  /** The teachers' probabilities, 10 per training image, when the recipe distills. */
  targets?: Float32Array;
}

/**
 * The batches of each epoch, for `fitDataParallel`: a seeded shuffle per epoch (`mixSeed(seed, epoch)`),
 * the recipe's augmentation from the stream whose state `state().augmentState` keeps, pixels scaled to
 * [0, 1], and one-hot labels (or distillation targets). A resumed epoch skips the batches already done.
 */
export function trainingBatches({
  train,
  recipe,
  seed,
  state = ownState(seed),
  targets,
}: TrainingBatchesOptions): (epoch: number) => Generator<TrainingBatch> {
  const alpha = recipe.distill?.alpha;
  if (targets && alpha === undefined)
    throw new TrainingError(
      'trainingBatches: targets given, but the recipe has no distill.alpha to mix them',
    );
  const pipeline = buildAugmentation(recipe);
  const shape = [train.height, train.width, train.channels] as const;
  const size = shape[0] * shape[1] * shape[2];
  return function* epochBatches(epoch) {
    const now = state();
    const augment = createAugmenter(pipeline, { seed: now.augmentState });
    const skip = epoch === now.epoch ? now.batchInEpoch : 0;
    let index = 0;
    for (const batch of batches(train, recipe.batchSize, { shuffle: true, seed: mixSeed(seed, epoch) })) {
      if (index++ < skip) continue;
      const augmented = augment({ data: batch.images, shape: [batch.count, ...shape] });
      // The augmentation stream's state after this batch: a checkpoint taken now continues from here.
      state().augmentState = augment.state;
      const x = new Float32Array(batch.count * size);
      for (let i = 0; i < x.length; i++) x[i] = augmented.data[i]! / 255;
      const y = new Float32Array(batch.count * 10);
      if (targets) distillationTargets(y, batch.labels, batch.indices, targets, alpha!);
      else for (let i = 0; i < batch.count; i++) y[i * 10 + batch.labels[i]!] = 1;
      yield { x, xShape: [batch.count, ...shape], y, yShape: [batch.count, 10] };
    }
  };
}

/** A new run's state, kept here when the caller keeps none. */
function ownState(seed: number): () => BatchState {
  const state = newTrainingState(seed);
  return () => state;
}

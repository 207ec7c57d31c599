import { join } from 'node:path';
import { createAugmenter } from '@fmnist/augment';
import { progressBar, terminateOnNaN } from '@fmnist/callbacks';
import { csvLogger, modelCheckpoint, tensorBoard } from '@fmnist/callbacks/node';
import { type ImageSet, takeSamples } from '@fmnist/dataset';
import { RUN_CHECKPOINTS, type RunProgress } from '@fmnist/training';
import { buildAugmentation, type RecipeCallbacks, recipeCallbacks } from '@fmnist/training/recipes';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RunConfig } from './config.js';

interface RunCallbackOptions {
  config: RunConfig;
  out: string;
  train: ImageSet;
  validation?: ImageSet;
  stepsPerEpoch: number;
  progress: RunProgress;
  resume: boolean;
}

/**
 * The run's callbacks, in order: the recipe's (schedule, plateau and early stopping, on `val_loss` with a
 * validation split, else `loss`; the weights average), TensorBoard, NaN guard, best checkpoint, the
 * progress (which checkpoints), the history CSV and the progress bar. Stateful ones are registered with
 * `progress`, and their saved counters restored. `applyAverage` finishes a completed run with the average.
 */
export async function runCallbacks(
  options: RunCallbackOptions,
): Promise<{ callbacks: tfl.Callback[]; applyAverage: RecipeCallbacks['applyAverage'] }> {
  const { config, out, validation, progress } = options;
  const { resumable } = progress;
  const recipe = await recipeCallbacks(config.recipe, {
    stepsPerEpoch: options.stepsPerEpoch,
    validation: Boolean(validation),
    progress,
  });
  const callbacks = [...recipe.callbacks];
  if (config.tensorboard !== false) {
    resumable.tensorboard = tensorBoard(config.tensorboard ?? join(out, 'tensorboard'), {
      images: augmentedSamples(options.train, config),
    });
    callbacks.push(resumable.tensorboard);
  }
  resumable.bestCheckpoint = modelCheckpoint({
    store: progress.store,
    path: RUN_CHECKPOINTS.best,
    monitor: validation ? 'val_loss' : 'loss',
    saveBestOnly: true,
  });
  progress.restoreCallbackStates();
  callbacks.push(
    terminateOnNaN(),
    resumable.bestCheckpoint,
    progress,
    csvLogger({ path: join(out, 'history.csv'), append: options.resume }),
    progressBar(),
  );
  return { callbacks, applyAverage: recipe.applyAverage };
}

/** A few training images augmented as the run augments them, from an augmenter of their own. */
function augmentedSamples(train: ImageSet, config: RunConfig) {
  const sample = takeSamples(train, Math.min(6, train.count));
  const shape: [number, number, number, number] = [sample.count, train.height, train.width, train.channels];
  const shown = createAugmenter(buildAugmentation(config.recipe), { seed: config.seed })({
    data: sample.images,
    shape,
  });
  return { data: shown.data, shape, tag: 'augmented' };
}

import { join } from 'node:path';
import { createAugmenter } from '@fmnist/augment';
import {
  earlyStopping,
  oneCycle,
  progressBar,
  reduceLROnPlateau,
  terminateOnNaN,
  weightsEMA,
} from '@fmnist/callbacks';
import { csvLogger, modelCheckpoint, tensorBoard } from '@fmnist/callbacks/node';
import { type ImageSet, takeSamples } from '@fmnist/dataset';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildAugmentation } from './build.js';
import { bestWeightsOnResume, loadCheckpointExtra } from './checkpoint.js';
import type { RunConfig } from './config.js';
import type { RunProgress } from './run-progress.js';

interface RunCallbackOptions {
  config: RunConfig;
  out: string;
  train: ImageSet;
  validation?: ImageSet;
  stepsPerEpoch: number;
  progress: RunProgress;
  resume: boolean;
  /** The checkpoint the run resumed from (its weights average, if any, is read from there). */
  resumedFrom: string;
}

/**
 * The run's callbacks, in order: the schedule, plateau and early stopping (on `val_loss` with a
 * validation split, else `loss`), the weights average, TensorBoard, NaN guard, best checkpoint, the
 * progress (which checkpoints), the history CSV and the progress bar. Stateful ones are registered with
 * `progress`, and their saved counters restored.
 */
export async function runCallbacks(options: RunCallbackOptions): Promise<tfl.Callback[]> {
  const { config, out, validation, progress } = options;
  const { recipe } = config;
  const { resumable } = progress;
  const callbacks: tfl.Callback[] = [];
  if (recipe.schedule.type === 'oneCycle') {
    const totalSteps = options.stepsPerEpoch * recipe.epochs;
    callbacks.push(oneCycle({ ...recipe.schedule, totalSteps, initialStep: progress.state.globalStep }));
  } else if (recipe.schedule.type === 'reduceOnPlateau') {
    const { factor, patience, minLR, monitor } = recipe.schedule;
    resumable.plateau = reduceLROnPlateau({
      monitor: validation ? monitor : 'loss',
      factor,
      patience,
      minLR,
      verbose: 1,
    });
    callbacks.push(resumable.plateau);
  }
  if (recipe.earlyStopping) {
    const { patience, restoreBestWeights, monitor } = recipe.earlyStopping;
    const stopping = earlyStopping({
      monitor: validation ? monitor : 'loss',
      patience,
      restoreBestWeights,
      verbose: 1,
    });
    resumable.earlyStopping = stopping;
    callbacks.push(stopping);
    if (restoreBestWeights) {
      progress.earlyStopping = stopping;
      const best = options.resume
        ? await bestWeightsOnResume(options.resumedFrom, out, progress.state)
        : undefined;
      if (best) {
        stopping.setBestWeights(best);
        tf.dispose(best);
      }
    }
  }
  if (recipe.ema) {
    // The average goes into the model only when training completes (an interrupted run resumes from its
    // own weights, with the average beside them in the checkpoint).
    const ema = weightsEMA({ decay: recipe.ema.decay, applyOnTrainEnd: false });
    resumable.ema = ema;
    progress.ema = ema;
    callbacks.push(ema);
    const average = options.resume ? await loadCheckpointExtra(options.resumedFrom, 'ema') : undefined;
    if (average) {
      ema.setWeights(average);
      tf.dispose(average);
    }
  }
  if (config.tensorboard !== false) {
    resumable.tensorboard = tensorBoard(config.tensorboard ?? join(out, 'tensorboard'), {
      images: augmentedSamples(options.train, config),
    });
    callbacks.push(resumable.tensorboard);
  }
  resumable.bestCheckpoint = modelCheckpoint({
    path: join(out, 'checkpoints', 'best'),
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
  return callbacks;
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

import { earlyStopping, oneCycle, reduceLROnPlateau, type WeightsEMA, weightsEMA } from '@fmnist/callbacks';
import type { Recipe } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { RunProgress } from '../run-state/run-progress.js';

export interface RecipeCallbackOptions {
  /** Batches per epoch: a one-cycle schedule spans `stepsPerEpoch * recipe.epochs` steps. */
  stepsPerEpoch: number;
  /** Whether the run has validation data: plateau and early stopping watch the recipe's monitor, else `loss`. */
  validation: boolean;
  /**
   * The run's progress: the stateful callbacks are registered there (their counters and tensors go into
   * its checkpoints), and a resumed run's weights average and best weights come back from its checkpoint.
   */
  progress?: RunProgress;
}

export interface RecipeCallbacks {
  /** The schedule, plateau reducer, early stopping and weights average the recipe asks for, in that order. */
  callbacks: tfl.Callback[];
  /**
   * Puts the recipe's weights average into the model and frees it: call it once training completed (an
   * interrupted run resumes from its own weights). Does nothing for a recipe without `ema`.
   */
  applyAverage(): void;
}

/**
 * The callbacks a recipe asks for: its learning-rate schedule (one-cycle per batch, or ReduceLROnPlateau),
 * early stopping and the weights average (`ema`). With `progress`, a resumed run continues them exactly.
 */
export async function recipeCallbacks(
  recipe: Recipe,
  { stepsPerEpoch, validation, progress }: RecipeCallbackOptions,
): Promise<RecipeCallbacks> {
  const callbacks: tfl.Callback[] = [];
  if (recipe.schedule.type === 'oneCycle') {
    const totalSteps = stepsPerEpoch * recipe.epochs;
    const initialStep = progress?.state.globalStep ?? 0;
    callbacks.push(oneCycle({ ...recipe.schedule, totalSteps, initialStep }));
  } else if (recipe.schedule.type === 'reduceOnPlateau') {
    const { factor, patience, minLR, monitor } = recipe.schedule;
    const plateau = reduceLROnPlateau({
      monitor: validation ? monitor : 'loss',
      factor,
      patience,
      minLR,
      verbose: 1,
    });
    if (progress) progress.resumable.plateau = plateau;
    callbacks.push(plateau);
  }
  if (recipe.earlyStopping) {
    const { patience, restoreBestWeights, monitor } = recipe.earlyStopping;
    const stopping = earlyStopping({
      monitor: validation ? monitor : 'loss',
      patience,
      restoreBestWeights,
      verbose: 1,
    });
    callbacks.push(stopping);
    if (progress) {
      progress.resumable.earlyStopping = stopping;
      if (restoreBestWeights) {
        progress.keepTensors('best', () => stopping.getBestWeights());
        await restore(progress.resumedBestWeights(), (best) => stopping.setBestWeights(best));
      }
    }
  }
  let ema: WeightsEMA | undefined;
  if (recipe.ema) {
    // The average goes into the model only when training completes (`applyAverage`): an interrupted run
    // resumes from its own weights, with the average beside them in the checkpoint.
    const average = weightsEMA({ decay: recipe.ema.decay, applyOnTrainEnd: false });
    ema = average;
    callbacks.push(average);
    if (progress) {
      progress.resumable.ema = average;
      progress.keepTensors('ema', () => average.getWeights());
      await restore(progress.resumedTensors('ema'), (saved) => average.setWeights(saved));
    }
  }
  return {
    callbacks,
    applyAverage() {
      if (!ema) return;
      ema.swap();
      ema.dispose();
    },
  };
}

/** Hands saved tensors (if any) to `use`, which copies them, then frees them. */
async function restore(saved: Promise<tf.Tensor[] | undefined>, use: (tensors: tf.Tensor[]) => void) {
  const tensors = await saved;
  if (!tensors) return;
  use(tensors);
  tf.dispose(tensors);
}

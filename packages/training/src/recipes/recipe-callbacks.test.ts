import '@tensorflow/tfjs-backend-cpu';
import { EarlyStopping, ReduceLROnPlateau, WeightsEMA } from '@fmnist/callbacks';
import { loadCheckpointTensors, memoryCheckpointStore } from '@fmnist/io';
import { QUICK_RECIPE, type Recipe } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { RunProgress } from '../run-state/run-progress.js';
import { recipeCallbacks } from './recipe-callbacks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const RECIPE: Recipe = {
  ...QUICK_RECIPE,
  schedule: { type: 'reduceOnPlateau', monitor: 'val_loss', factor: 0.5, patience: 5, minLR: 1e-6 },
  earlyStopping: { monitor: 'val_loss', patience: 5, restoreBestWeights: true },
  ema: { decay: 0.9 },
};

function tinyModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2],
        units: 1,
        kernelInitializer: tfl.initializers.constant({ value: 1 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  return model;
}

const values = (tensors: tf.Tensor[] | undefined) => tensors!.map((t) => Array.from(t.dataSync()));

describe('recipeCallbacks', () => {
  it('gives the schedule, plateau, early stopping and weights average the recipe asks for, watching loss without validation data', async () => {
    expect(
      (await recipeCallbacks(QUICK_RECIPE, { stepsPerEpoch: 10, validation: false })).callbacks,
    ).toHaveLength(1);
    const { callbacks } = await recipeCallbacks(RECIPE, { stepsPerEpoch: 10, validation: false });
    expect(callbacks.map((c) => c.constructor)).toEqual([ReduceLROnPlateau, EarlyStopping, WeightsEMA]);
    expect((callbacks[1] as EarlyStopping).monitor).toBe('loss');
    const watched = await recipeCallbacks(RECIPE, { stepsPerEpoch: 10, validation: true });
    expect((watched.callbacks[1] as EarlyStopping).monitor).toBe('val_loss');
  });

  it("registers them with the run's progress, whose checkpoints keep the average and best weights for a resume", async () => {
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const store = memoryCheckpointStore();
    const model = tinyModel();
    const progress = await RunProgress.start(store, model, { seed: 1 });
    const recipe = await recipeCallbacks(RECIPE, { stepsPerEpoch: 1, validation: false, progress });
    expect(Object.keys(progress.resumable)).toEqual(['plateau', 'earlyStopping', 'ema']);
    const x = tf.tensor2d([[1, 2]]);
    const y = tf.tensor2d([[0]]);
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [...recipe.callbacks, progress] });
    const [ema, stopping] = [recipe.callbacks[2] as WeightsEMA, recipe.callbacks[1] as EarlyStopping];
    const average = values(ema.getWeights());
    // Early stopping hands its best weights back to the model when training ends: the checkpoint has them.
    const best = values(await loadCheckpointTensors(store, 'last', 'best'));
    expect(values(await loadCheckpointTensors(store, 'last', 'ema'))).toEqual(average);

    const again = await RunProgress.start(store, tinyModel(), { seed: 1, resume: true });
    const resumed = await recipeCallbacks(RECIPE, { stepsPerEpoch: 1, validation: false, progress: again });
    again.restoreCallbackStates();
    expect(values((resumed.callbacks[2] as WeightsEMA).getWeights())).toEqual(average);
    expect(values((resumed.callbacks[1] as EarlyStopping).getBestWeights())).toEqual(best);
    expect((resumed.callbacks[1] as EarlyStopping).getState()).toEqual(stopping.getState());

    const trained = values(model.getWeights());
    recipe.applyAverage();
    expect(values(model.getWeights())).toEqual(average);
    expect(values(model.getWeights())).not.toEqual(trained);
    quiet.mockRestore();
    tf.dispose([x, y]);
  });
});

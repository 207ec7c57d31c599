import { join } from 'node:path';
import { loadCheckpoint, memoryCheckpointStore, saveCheckpoint } from '@fmnist/io';
import { describe, expect, it } from 'vitest';
import { earlyStopping } from './early-stopping.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import { modelCheckpoint } from './model-checkpoint.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { isResumable } from './resumable.js';
import { drive, tf, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-resumable-');

// A run interrupted after `split` epochs, its callback state carried through JSON into a new callback,
// must see the same learning rates / stopping epoch as the run that went straight through.
describe('callback state across a resume', () => {
  const losses = [1, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85];

  it('reduceLROnPlateau continues its wait and cooldown counters', async () => {
    const args = { factor: 0.5, patience: 2, cooldown: 1 };
    const straightModel = tinyModel(tf.train.sgd(1));
    const straight = await drive(reduceLROnPlateau(args), straightModel, 'val_loss', losses, () =>
      getLearningRate(straightModel.optimizer),
    );
    for (const split of [2, 3, 5]) {
      const model = tinyModel(tf.train.sgd(1));
      const first = reduceLROnPlateau(args);
      const head = await drive(first, model, 'val_loss', losses.slice(0, split), () =>
        getLearningRate(model.optimizer),
      );
      const second = reduceLROnPlateau(args);
      second.setState(JSON.parse(JSON.stringify(first.getState())));
      const tail = await drive(second, model, 'val_loss', losses.slice(split), () =>
        getLearningRate(model.optimizer),
      );
      expect([...head, ...tail]).toEqual(straight);
    }
    // Without the state the resumed run waits afresh: the check above can fail.
    const model = tinyModel(tf.train.sgd(1));
    await drive(reduceLROnPlateau(args), model, 'val_loss', losses.slice(0, 3), () => 0);
    const fresh = await drive(reduceLROnPlateau(args), model, 'val_loss', losses.slice(3), () =>
      getLearningRate(model.optimizer),
    );
    expect(fresh).not.toEqual(straight.slice(3));
  });

  it('earlyStopping stops at the same epoch', async () => {
    const args = { monitor: 'val_loss', patience: 3 };
    const stopEpoch = async (split: number) => {
      const model = tinyModel();
      const first = earlyStopping(args);
      const head = await drive(first, model, 'val_loss', losses.slice(0, split), () => model.stopTraining);
      const second = earlyStopping(args);
      second.setState(JSON.parse(JSON.stringify(first.getState())));
      const tail = await drive(second, model, 'val_loss', losses.slice(split), () => model.stopTraining);
      return [...head, ...tail].indexOf(true);
    };
    const straight = await stopEpoch(losses.length);
    expect(straight).toBe(7);
    for (const split of [1, 4, 6]) expect(await stopEpoch(split)).toBe(straight);
  });

  it('modelCheckpoint with saveBestOnly does not replace the best checkpoint with a worse one', async () => {
    const path = join(root(), 'best');
    const model = tinyModel();
    const first = modelCheckpoint({ path, saveBestOnly: true });
    await drive(first, model, 'val_loss', [1, 0.5], () => 0);
    const second = modelCheckpoint({ path, saveBestOnly: true });
    second.setState(JSON.parse(JSON.stringify(first.getState())));
    await drive(second, model, 'val_loss', [0.7, 0.6, 0.4], () => 0);
    expect(second.saved).toEqual([path]);
    expect(second.getState()).toEqual({ best: 0.4 });
    expect(modelCheckpoint({ path }).getState()).toEqual({ best: null });
  });

  it('rejects a corrupt state, naming the field', () => {
    expect(() => reduceLROnPlateau().setState({ best: 1, wait: -1, cooldownCounter: 0 })).toThrow(
      /reduceLROnPlateau.setState: wait must be an integer ≥ 0, got -1/,
    );
    expect(() => earlyStopping().setState({ best: 'x' as never, wait: 0, bestEpoch: 0 })).toThrow(
      /earlyStopping.setState: best must be a finite number or null, got "x"/,
    );
    expect(isResumable(reduceLROnPlateau())).toBe(true);
    expect(isResumable({ onEpochEnd() {} })).toBe(false);
  });
});

describe('checkpoints keep the learning rate', () => {
  it('restores a rate a callback changed', async () => {
    const model = tinyModel(tf.train.adam(0.01));
    setLearningRate(model.optimizer, 0.00125);
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'lr', model);
    const resumed = tinyModel(tf.train.adam(0.01));
    await loadCheckpoint(store, 'lr', resumed);
    expect(getLearningRate(resumed.optimizer)).toBe(0.00125);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { earlyStopping } from './early-stopping.js';
import { drive, ScriptedLogs, tf, tfl, tinyData, tinyModel } from './testing/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Keras's EarlyStopping.on_epoch_end (2.13+ / 3): wait += 1; on improvement (value ∓ min_delta beats best)
// keep best and reset wait unless a baseline is unbeaten, and return; else stop when wait ≥ patience, epoch > 0.
describe('earlyStopping decisions', () => {
  it('stops after patience epochs without improvement', async () => {
    const model = tinyModel();
    const stop = earlyStopping({ patience: 2 });
    const seen = await drive(stop, model, 'val_loss', [1.0, 0.8, 0.85, 0.9, 0.7], () =>
      Boolean(model.stopTraining),
    );
    expect(seen).toEqual([false, false, false, true]);
    expect(stop.stoppedEpoch).toBe(3);
    expect(stop.bestEpoch).toBe(1);
  });

  it('counts improvements smaller than minDelta as none', async () => {
    const model = tinyModel();
    const seen = await drive(
      earlyStopping({ patience: 1, minDelta: 0.1 }),
      model,
      'val_loss',
      [1.0, 0.95, 0.5],
      () => Boolean(model.stopTraining),
    );
    expect(seen).toEqual([false, true]);
  });

  it('keeps counting while a baseline is unbeaten, and maximizes accuracy in auto mode', async () => {
    const model = tinyModel();
    const seen = await drive(
      earlyStopping({ monitor: 'val_acc', patience: 2, baseline: 0.9 }),
      model,
      'val_acc',
      [0.5, 0.5, 0.5],
      () => Boolean(model.stopTraining),
    );
    expect(seen).toEqual([false, true]);
  });

  it('ignores epochs before startFromEpoch', async () => {
    const model = tinyModel();
    const seen = await drive(
      earlyStopping({ patience: 0, startFromEpoch: 2 }),
      model,
      'val_loss',
      [1, 2, 3, 4],
      () => Boolean(model.stopTraining),
    );
    expect(seen).toEqual([false, false, false, true]);
  });
});

describe('restoreBestWeights in a real model.fit', () => {
  it('puts back the weights of the best epoch', async () => {
    const model = tinyModel(tf.train.sgd(0.5));
    const { xs, ys } = tinyData();
    const snapshots: number[][] = [];
    const record = new (class extends tfl.Callback {
      override async onEpochEnd() {
        snapshots.push(Array.from(model.getWeights()[0]!.dataSync()));
      }
    })();
    await model.fit(xs, ys, {
      epochs: 6,
      verbose: 0,
      callbacks: [
        new ScriptedLogs('val_loss', [0.9, 0.5, 0.7, 0.8, 0.9, 1.0]),
        record,
        earlyStopping({ patience: 2, restoreBestWeights: true }),
      ],
    });
    expect(snapshots).toHaveLength(4);
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual(snapshots[1]);
    expect(snapshots[3]).not.toEqual(snapshots[1]);
    tf.dispose([xs, ys]);
  });

  it('restores the best epoch from before a resume when its weights are handed back', async () => {
    const model = tinyModel(tf.train.sgd(0.5));
    const { xs, ys } = tinyData();
    const first = earlyStopping({ patience: 3, restoreBestWeights: true });
    // What a checkpoint saved at the end of epoch 1 holds (the process then ends).
    let best: tf.Tensor[] = [];
    let state = {};
    const checkpoint = new (class extends tfl.Callback {
      override async onEpochEnd() {
        tf.dispose(best);
        best = first.getBestWeights()!;
        state = first.getState();
      }
    })();
    await model.fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      callbacks: [new ScriptedLogs('val_loss', [0.9, 0.5]), first, checkpoint],
    });
    const bestKernel = Array.from(best[0]!.dataSync());
    expect(bestKernel).toEqual(Array.from(model.getWeights()[0]!.dataSync()));

    // A new process: counters and best weights come back from the checkpoint; no later epoch beats 0.5.
    const resumed = earlyStopping({ patience: 3, restoreBestWeights: true });
    resumed.setState(state);
    const before = tf.memory().numTensors;
    resumed.setBestWeights(best);
    const handedBack = best.length;
    tf.dispose(best);
    await model.fit(xs, ys, {
      epochs: 5,
      initialEpoch: 2,
      verbose: 0,
      callbacks: [new ScriptedLogs('val_loss', [0.9, 0.5, 0.6, 0.7, 0.8]), resumed],
    });
    expect(resumed.stoppedEpoch).toBe(4);
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual(bestKernel);
    // The copies it took are disposed when training ends.
    expect(tf.memory().numTensors).toBe(before - handedBack);
    tf.dispose([xs, ys]);
  });

  it('does not leak tensors', async () => {
    const model = tinyModel(tf.train.sgd(0.5));
    const { xs, ys } = tinyData();
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, {
      epochs: 4,
      verbose: 0,
      callbacks: [
        new ScriptedLogs('val_loss', [1, 2, 3, 4]),
        earlyStopping({ patience: 1, restoreBestWeights: true }),
      ],
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xs, ys]);
  });
});

import { existsSync, readdirSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryCheckpointStore } from '@fmnist/io';
import { describe, expect, it } from 'vitest';
import { backupAndRestore } from './backup-and-restore.js';
import { type EarlyStopping, earlyStopping } from './early-stopping.js';
import { CallbackError } from './errors.js';
import { getLearningRate } from './learning-rate.js';
import { type ReduceLROnPlateau, reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { readEventFile } from './tensorboard/event-file.js';
import { tensorBoard } from './tensorboard/tensorboard-callback.js';
import { ScriptedLogs, tf, tfl, tinyData, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-backup-');

/** Throws at the end of epoch `at` (0-based): a crash after that epoch's backup. */
class CrashAfter extends tfl.Callback {
  constructor(private readonly at: number) {
    super();
  }
  override async onEpochEnd(epoch: number) {
    if (epoch === this.at) throw new Error('killed');
  }
}

const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

/** Stops training at the end of epoch `at`, as a kill right after that epoch's backup would. */
class StopAfter extends tfl.Callback {
  constructor(private readonly at: number) {
    super();
  }
  override async onEpochEnd(epoch: number) {
    if (epoch === this.at) this.model.stopTraining = true;
  }
}

/** What the stateful callbacks hold after each epoch. */
class Recorder extends tfl.Callback {
  readonly seen: unknown[] = [];
  constructor(
    private readonly plateau: ReduceLROnPlateau,
    private readonly stopping: EarlyStopping,
  ) {
    super();
  }
  override async onEpochEnd(epoch: number) {
    const { wait, cooldownCounter } = this.plateau;
    const lr = getLearningRate(this.model.optimizer);
    const { wait: stopWait, best, bestEpoch } = this.stopping;
    this.seen.push({
      epoch,
      lr,
      wait,
      cooldownCounter,
      stopWait,
      best,
      bestEpoch,
      stop: this.model.stopTraining,
    });
  }
}

describe('backupAndRestore', () => {
  it('a run that crashed continues from its last epoch and ends as the unbroken run, then removes the backup', async () => {
    const { xs, ys } = tinyData();
    const fit = (model: tfl.LayersModel, initialEpoch: number, callbacks: tfl.Callback[]) =>
      model.fit(xs, ys, { epochs: 5, initialEpoch, batchSize: 2, shuffle: false, verbose: 0, callbacks });
    const straight = tinyModel(tf.train.adam(0.05));
    await fit(straight, 0, []);

    const backupDir = join(root(), 'backup');
    const first = tinyModel(tf.train.adam(0.05));
    await expect(fit(first, 0, [backupAndRestore({ backupDir }), new CrashAfter(2)])).rejects.toThrow(
      'killed',
    );
    expect(existsSync(join(backupDir, 'latest', 'state.json'))).toBe(true);

    const again = tinyModel(tf.train.adam(0.05));
    const backup = backupAndRestore({ backupDir });
    const { initialEpoch, restored } = await backup.restore(again);
    expect({ initialEpoch, restored }).toEqual({ initialEpoch: 3, restored: true });
    await fit(again, initialEpoch, [backup]);
    const [a, b] = [weightsOf(straight), weightsOf(again)];
    a.forEach((values, i) => values.forEach((v, j) => expect(b[i]![j]).toBeCloseTo(v, 5)));
    expect(existsSync(join(backupDir, 'latest'))).toBe(false);
    expect(await backupAndRestore({ backupDir }).restore(tinyModel())).toEqual({
      initialEpoch: 0,
      restored: false,
    });
    tf.dispose([xs, ys]);
  });

  it('keeps the backup when asked, and names a damaged file instead of loading it', async () => {
    const { xs, ys } = tinyData();
    const backupDir = join(root(), 'kept');
    await tinyModel().fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      callbacks: [backupAndRestore({ backupDir, deleteCheckpoint: false })],
    });
    expect(existsSync(join(backupDir, 'latest', 'weights.bin'))).toBe(true);
    await truncate(join(backupDir, 'latest', 'weights.bin'), 3);
    const restore = backupAndRestore({ backupDir }).restore(tinyModel());
    await expect(restore).rejects.toThrow(CallbackError);
    await expect(backupAndRestore({ backupDir }).restore(tinyModel())).rejects.toThrow(/weights\.bin/);
    expect(() => backupAndRestore({ backupDir: '' })).toThrow(
      'backupAndRestore: backupDir must be a directory path',
    );
    tf.dispose([xs, ys]);
  });

  it('keeps its backup in a given store as its checkpoint latest', async () => {
    const { xs, ys } = tinyData();
    const store = memoryCheckpointStore();
    await tinyModel().fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      callbacks: [backupAndRestore({ store, deleteCheckpoint: false })],
    });
    expect(await store.list()).toEqual(['latest']);
    const backup = backupAndRestore({ store });
    const model = tinyModel();
    expect(await backup.restore(model)).toEqual({ initialEpoch: 2, restored: true });
    await model.fit(xs, ys, { epochs: 3, initialEpoch: 2, verbose: 0, callbacks: [backup] });
    expect(await store.list()).toEqual([]);
    expect(() => backupAndRestore({})).toThrow('backupAndRestore: backupDir must be a directory path');
    tf.dispose([xs, ys]);
  });

  it('carries the counters and best weights of the callbacks it is given, and TensorBoard steps', async () => {
    // val_loss is best at epoch 2; with patience 4 early stopping stops at epoch 6 and restores epoch 2's weights.
    const losses = [1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
    const { xs, ys } = tinyData();
    const run = (logDir: string) => {
      const plateau = reduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1 });
      const stopping = earlyStopping({ patience: 4, restoreBestWeights: true });
      const board = tensorBoard(logDir, { updateFreq: 'batch', histogramFreq: 0 });
      return { stateful: [plateau, stopping, board], recorder: new Recorder(plateau, stopping) };
    };
    const fit = (model: tfl.LayersModel, initialEpoch: number, callbacks: tfl.Callback[]) =>
      model.fit(xs, ys, {
        epochs: losses.length,
        initialEpoch,
        batchSize: 2,
        shuffle: false,
        verbose: 0,
        callbacks,
      });

    const straight = tinyModel(tf.train.adam(0.05));
    const unbroken = run(join(root(), 'tb-straight'));
    await fit(straight, 0, [new ScriptedLogs('val_loss', losses), ...unbroken.stateful, unbroken.recorder]);

    const backupDir = join(root(), 'stateful');
    const logDir = join(root(), 'tb-resumed');
    const first = run(logDir);
    const killed = tinyModel(tf.train.adam(0.05));
    await fit(killed, 0, [
      new ScriptedLogs('val_loss', losses),
      ...first.stateful,
      first.recorder,
      backupAndRestore({ backupDir, callbacks: first.stateful }),
      new StopAfter(3),
    ]);
    const second = run(logDir);
    const backup = backupAndRestore({
      backupDir,
      callbacks: [...second.stateful, tfl.callbacks.earlyStopping()],
    });
    const resumed = tinyModel(tf.train.adam(0.05));
    const { initialEpoch } = await backup.restore(resumed);
    expect(initialEpoch).toBe(4);
    await fit(resumed, initialEpoch, [
      new ScriptedLogs('val_loss', losses),
      ...second.stateful,
      second.recorder,
      backup,
    ]);

    expect(unbroken.recorder.seen).toHaveLength(7);
    expect([...first.recorder.seen.slice(0, 4), ...second.recorder.seen]).toEqual(unbroken.recorder.seen);
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    const steps: number[] = [];
    for (const file of readdirSync(join(logDir, 'train'))) {
      const { events } = await readEventFile(join(logDir, 'train', file));
      for (const event of events)
        if (event.values?.some((v) => v.tag === 'batch_loss')) steps.push(event.step);
    }
    expect(steps.sort((a, b) => a - b)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    tf.dispose([xs, ys]);
  });

  it('names a backup whose callback states do not fit the callbacks given', async () => {
    const { xs, ys } = tinyData();
    const backupDir = join(root(), 'mismatch');
    const plateau = reduceLROnPlateau({ monitor: 'loss' });
    await tinyModel().fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      callbacks: [plateau, backupAndRestore({ backupDir, callbacks: [plateau], deleteCheckpoint: false })],
    });
    const state = join(backupDir, 'latest', 'state.json');
    await expect(backupAndRestore({ backupDir }).restore(tinyModel())).rejects.toThrow(
      `${state}: the backup holds the state of 1 resumable callback, the callbacks option has 0`,
    );
    const other = backupAndRestore({ backupDir, callbacks: [earlyStopping()] });
    await expect(other.restore(tinyModel())).rejects.toThrow(
      `${state}: callback state 0 has best, cooldownCounter, wait; the callback given has best, bestEpoch, wait`,
    );
    tf.dispose([xs, ys]);
  });
});

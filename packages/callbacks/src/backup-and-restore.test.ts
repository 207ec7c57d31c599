import { existsSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupAndRestore } from './backup-and-restore.js';
import { CallbackError } from './errors.js';
import { tf, tfl, tinyData, tinyModel } from './testing/index.js';
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
});

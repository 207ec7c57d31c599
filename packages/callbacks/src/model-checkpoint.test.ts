import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint, memoryCheckpointStore } from '@fmnist/io';
import { directoryLoadHandler, fileSystemCheckpointStore } from '@fmnist/io/node';
import { amsgrad } from '@fmnist/model';
import { describe, expect, it } from 'vitest';
import { modelCheckpoint } from './model-checkpoint.js';
import { formatPath } from './path-template.js';
import { ScriptedLogs, tf, tfl, tinyData, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-ckpt-');

describe('formatPath', () => {
  it('fills epoch and metrics with Python-style specs', () => {
    expect(formatPath('ckpt/e{epoch:03d}-{val_loss:.2f}', { epoch: 7, val_loss: 0.12345 })).toBe(
      'ckpt/e007-0.12',
    );
    expect(() => formatPath('{nope}', { epoch: 1 })).toThrow(
      "path '{nope}' names {nope}, which is not in the logs",
    );
  });
});

describe('modelCheckpoint', () => {
  it('saves every epoch under a templated path, or only the best', async () => {
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    const every = modelCheckpoint({ path: join(root(), 'every', 'epoch-{epoch:02d}') });
    const best = modelCheckpoint({ path: join(root(), 'best', 'e{epoch}'), saveBestOnly: true });
    await model.fit(xs, ys, {
      epochs: 4,
      verbose: 0,
      callbacks: [new ScriptedLogs('val_loss', [0.5, 0.7, 0.4, 0.6]), every, best],
    });
    expect((await readdir(join(root(), 'every'))).sort()).toEqual([
      'epoch-01',
      'epoch-02',
      'epoch-03',
      'epoch-04',
    ]);
    expect(best.saved.map((p) => p.split('/').pop())).toEqual(['e1', 'e3']);
    tf.dispose([xs, ys]);
  });

  it('reports an unwritable path when training begins, before any batch', async () => {
    const blocker = join(root(), 'blocker');
    await writeFile(blocker, 'a file, not a directory');
    const model = tinyModel();
    const { xs, ys } = tinyData();
    let batches = 0;
    const counter = new (class extends tfl.Callback {
      override async onBatchEnd() {
        batches++;
      }
    })();
    await expect(
      model.fit(xs, ys, {
        epochs: 1,
        verbose: 0,
        callbacks: [modelCheckpoint({ path: join(blocker, 'ckpt-{epoch}') }), counter],
      }),
    ).rejects.toThrow(`modelCheckpoint: cannot write checkpoints under ${blocker}`);
    expect(batches).toBe(0);
    tf.dispose([xs, ys]);
  });

  it('resumes from a checkpoint exactly where training straight through would be (AMSGrad state included)', async () => {
    const { xs, ys } = tinyData();
    const straight = tinyModel(amsgrad({ learningRate: 0.05 }));
    await straight.fit(xs, ys, { epochs: 3, verbose: 0, shuffle: false });

    const first = tinyModel(amsgrad({ learningRate: 0.05 }));
    await first.fit(xs, ys, {
      epochs: 2,
      verbose: 0,
      shuffle: false,
      callbacks: [modelCheckpoint({ path: join(root(), 'resume') })],
    });
    const resumed = tinyModel(amsgrad({ learningRate: 0.05 }));
    const store = fileSystemCheckpointStore(root());
    const state = await loadCheckpoint<{ epoch: number }>(store, 'resume', resumed);
    expect(state?.epoch).toBe(2);
    await resumed.fit(xs, ys, { epochs: 3, initialEpoch: 2, verbose: 0, shuffle: false });

    const a = straight.getWeights().map((w) => Array.from(w.dataSync()));
    const b = resumed.getWeights().map((w) => Array.from(w.dataSync()));
    a.forEach((w, i) => w.forEach((v, k) => expect(b[i]![k]).toBeCloseTo(v, 6)));
    tf.dispose([xs, ys]);
  });

  it('saves into a given store, the path template naming the checkpoints', async () => {
    const store = memoryCheckpointStore();
    const model = tinyModel();
    const { xs, ys } = tinyData();
    const checkpoint = modelCheckpoint({ path: 'epoch-{epoch}', store });
    await model.fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [checkpoint] });
    expect(checkpoint.saved).toEqual(['epoch-1', 'epoch-2']);
    expect(await store.list()).toEqual(['epoch-1', 'epoch-2']);
    expect(await loadCheckpoint(store, 'epoch-2', tinyModel())).toMatchObject({ epoch: 2 });
    tf.dispose([xs, ys]);
  });

  it('leaves a loadable checkpoint when the saving process is killed at any moment', async () => {
    const dir = join(root(), 'killed');
    const script = new URL('./testing/save-forever.ts', import.meta.url).pathname;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=fmnist-source', script, dir], {
        cwd: new URL('..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`saver exited early with ${code}`)));
      });
      // Kill at a different moment each round: mid-write, mid-rename or between saves.
      await new Promise((r) => setTimeout(r, 20 + round * 37));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const restored = await tfl.loadLayersModel(directoryLoadHandler(dir));
      expect(restored.layers[0]!.getWeights()[0]!.shape).toEqual([512, 512]);
      restored.dispose();
    }
  }, 60_000);
});

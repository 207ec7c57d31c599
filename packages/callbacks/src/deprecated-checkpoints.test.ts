import { readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as io from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUMS_FILE,
  loadCheckpoint,
  loadCheckpointTensors,
  saveCheckpoint,
  verifyCheckpoint,
} from './deprecated-checkpoints.js';
import { CallbackError } from './errors.js';
import { tf, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-deprecated-checkpoints-');

// The folder API of @fmnist/callbacks/node, kept for one release over @fmnist/io.

describe('saveCheckpoint (deprecated)', () => {
  it('reports a directory it cannot write as a CallbackError naming it, the IoError as cause', async () => {
    const file = join(root(), 'a-file');
    await writeFile(file, 'not a directory');
    const dir = join(file, 'checkpoint');
    const error = await saveCheckpoint(dir, tinyModel(tf.train.adam(0.01))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as Error).message).toBe(`saveCheckpoint: cannot write the checkpoint ${dir}`);
    expect((error as Error).cause).toBeInstanceOf(io.IoError);
    expect(((error as Error).cause as Error).cause).toMatchObject({
      code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/),
    });
  });

  it('writes the folders @fmnist/io reads, and reads what it writes', async () => {
    const model = tinyModel();
    const dir = join(root(), 'same');
    await saveCheckpoint(dir, model, { state: { epoch: 3 }, tensors: { ema: [tf.ones([2])] } });
    const store = fileSystemCheckpointStore(root());
    expect(await io.loadCheckpoint(store, 'same', tinyModel())).toEqual({ epoch: 3 });
    await io.saveCheckpoint(store, 'from-io', model, { state: { epoch: 4 } });
    expect(await loadCheckpoint(join(root(), 'from-io'), tinyModel())).toEqual({ epoch: 4 });
    const ema = await loadCheckpointTensors(dir, 'ema');
    expect(ema?.map((t) => Array.from(t.dataSync()))).toEqual([[1, 1]]);
    tf.dispose(ema ?? []);
    expect(CHECKSUMS_FILE).toBe('checksums.json');
  });
});

describe('checkpoint integrity (deprecated)', () => {
  it('lists the SHA-256 of every file and loads an intact checkpoint', async () => {
    const model = tinyModel();
    const dir = join(root(), 'intact');
    await saveCheckpoint(dir, model, { state: { epoch: 3 }, tensors: { ema: [tf.ones([2])] } });
    const listed = JSON.parse(await readFile(join(dir, CHECKSUMS_FILE), 'utf8'));
    expect(Object.keys(listed.files).sort()).toEqual(
      [
        'ema.bin',
        'ema.json',
        'model.json',
        'optimizer.bin',
        'optimizer.json',
        'state.json',
        'weights.bin',
      ].sort(),
    );
    expect(await loadCheckpoint(dir, tinyModel())).toEqual({ epoch: 3 });
    await verifyCheckpoint(dir);
    await verifyCheckpoint(join(root(), 'nothing-here'));
  });

  it('refuses a file cut short or missing, naming it, before loading anything', async () => {
    const model = tinyModel();
    const dir = join(root(), 'damaged');
    await saveCheckpoint(dir, model, { state: { epoch: 1 }, tensors: { ema: [tf.ones([2])] } });
    await truncate(join(dir, 'weights.bin'), 5);
    const target = tinyModel();
    const before = target.getWeights().map((w) => Array.from(w.dataSync()));
    const attempt = loadCheckpoint(dir, target);
    await expect(attempt).rejects.toThrow(CallbackError);
    await expect(loadCheckpoint(dir, target)).rejects.toThrow(
      `${join(dir, 'weights.bin')}: damaged checkpoint file (5 bytes whose SHA-256 differs from checksums.json)`,
    );
    await expect(verifyCheckpoint(dir)).rejects.toThrow(CallbackError);
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    const other = join(root(), 'missing');
    await saveCheckpoint(other, model, { tensors: { ema: [tf.ones([2])] } });
    await unlink(join(other, 'ema.bin'));
    await expect(loadCheckpointTensors(other, 'ema')).rejects.toThrow(
      `${join(other, 'ema.bin')}: missing from the checkpoint`,
    );
  });
});

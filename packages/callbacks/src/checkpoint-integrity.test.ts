import { readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadCheckpointTensors, saveCheckpoint } from './checkpoint-files.js';
import { CHECKSUMS_FILE } from './checkpoint-integrity.js';
import { CallbackError } from './errors.js';
import { tf, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-integrity-');

describe('checkpoint integrity', () => {
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
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    const other = join(root(), 'missing');
    await saveCheckpoint(other, model, { tensors: { ema: [tf.ones([2])] } });
    await unlink(join(other, 'ema.bin'));
    await expect(loadCheckpointTensors(other, 'ema')).rejects.toThrow(
      `${join(other, 'ema.bin')}: missing from the checkpoint`,
    );
  });
});

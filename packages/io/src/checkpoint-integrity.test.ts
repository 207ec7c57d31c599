import { readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadCheckpointTensors, saveCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { CHECKSUMS_FILE } from './checkpoint-integrity.js';
import { IoError } from './errors.js';
import { fileSystemCheckpointStore } from './file-system-checkpoint-store.js';
import { memoryCheckpointStore } from './memory-checkpoint-store.js';
import { cpuTestsWithTempDir, tf, tinyModel } from './testing/models.js';

const root = cpuTestsWithTempDir('fmnist-integrity-');

describe('checkpoint integrity', () => {
  it('lists the SHA-256 of every file and loads an intact checkpoint', async () => {
    const model = tinyModel();
    const store = fileSystemCheckpointStore(root());
    await saveCheckpoint(store, 'intact', model, { state: { epoch: 3 }, tensors: { ema: [tf.ones([2])] } });
    const listed = JSON.parse(await readFile(join(root(), 'intact', CHECKSUMS_FILE), 'utf8'));
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
    expect(await loadCheckpoint(store, 'intact', tinyModel())).toEqual({ epoch: 3 });
    await verifyCheckpoint(store, 'intact');
  });

  it('refuses a file cut short or missing, naming it, before loading anything', async () => {
    const model = tinyModel();
    const store = fileSystemCheckpointStore(root());
    const dir = join(root(), 'damaged');
    await saveCheckpoint(store, 'damaged', model, { state: { epoch: 1 }, tensors: { ema: [tf.ones([2])] } });
    await truncate(join(dir, 'weights.bin'), 5);
    const target = tinyModel();
    const before = target.getWeights().map((w) => Array.from(w.dataSync()));
    const attempt = loadCheckpoint(store, 'damaged', target);
    await expect(attempt).rejects.toThrow(IoError);
    await expect(loadCheckpoint(store, 'damaged', target)).rejects.toThrow(
      `${join(dir, 'weights.bin')}: damaged checkpoint file (5 bytes whose SHA-256 differs from checksums.json)`,
    );
    await expect(verifyCheckpoint(store, 'damaged')).rejects.toThrow(`${join(dir, 'weights.bin')}: damaged`);
    expect(target.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    const other = join(root(), 'missing');
    await saveCheckpoint(store, 'missing', model, { tensors: { ema: [tf.ones([2])] } });
    await unlink(join(other, 'ema.bin'));
    await expect(loadCheckpointTensors(store, 'missing', 'ema')).rejects.toThrow(
      `${join(other, 'ema.bin')}: missing from the checkpoint`,
    );
  });

  it('names an unreadable checksum list, and a checkpoint that is not there', async () => {
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'ckpt', tinyModel());
    await store.write('ckpt', { ...(await store.read('ckpt')), [CHECKSUMS_FILE]: '{ cut' });
    await expect(verifyCheckpoint(store, 'ckpt')).rejects.toThrow(
      new IoError('memory:ckpt/checksums.json: unreadable checksum list'),
    );
    await expect(loadCheckpoint(store, 'none', tinyModel())).rejects.toThrow(
      new IoError('memory:none: no checkpoint'),
    );
  });
});

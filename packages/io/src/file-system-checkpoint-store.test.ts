import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { IoError } from './errors.js';
import { fileSystemCheckpointStore } from './file-system-checkpoint-store.js';
import { modelArtifactsToFiles } from './model-artifacts.js';
import { writeDirectoryAtomic } from './model-directory.js';
import { cpuTestsWithTempDir, tf, tinyModel, weightsOf } from './testing/models.js';
import { checkpointStoreContract } from './testing/store-contract.js';

const root = cpuTestsWithTempDir('fmnist-fs-store-');
let stores = 0;

checkpointStoreContract('fileSystemCheckpointStore', () =>
  fileSystemCheckpointStore(join(root(), `contract-${stores++}`)),
);

describe('fileSystemCheckpointStore', () => {
  it('keeps a checkpoint as a folder of its files, named by its path, with no temporary folder left', async () => {
    const dir = join(root(), 'layout');
    const store = fileSystemCheckpointStore(dir);
    await saveCheckpoint(store, 'last', tinyModel(), { state: { epoch: 2 } });
    await saveCheckpoint(store, 'last', tinyModel(), { state: { epoch: 3 } });
    expect(await readdir(dir)).toEqual(['last']);
    expect((await readdir(join(dir, 'last'))).sort()).toEqual([
      'checksums.json',
      'model.json',
      'optimizer.bin',
      'optimizer.json',
      'state.json',
      'weights.bin',
    ]);
    expect(JSON.parse(await readFile(join(dir, 'last', 'state.json'), 'utf8'))).toEqual({ epoch: 3 });
    expect(store.describe('last', 'weights.bin')).toBe(join(dir, 'last', 'weights.bin'));
  });

  it('reads a checkpoint a crash left set aside as <name>.old, as resolveSavedDirectory does', async () => {
    const dir = join(root(), 'aside');
    const store = fileSystemCheckpointStore(dir);
    await store.write('last', { 'model.json': '{}' });
    await rename(join(dir, 'last'), join(dir, 'last.old'));
    expect(await store.has('last')).toBe(true);
    expect(await store.list()).toEqual(['last']);
    expect(Object.keys((await store.read('last')) ?? {})).toEqual(['model.json']);
    expect(store.describe('last')).toBe(join(dir, 'last.old'));
    await store.write('last', { 'model.json': '{"new":1}' });
    expect(existsSync(join(dir, 'last.old'))).toBe(false);
    await store.move('last', 'previous');
    await store.remove('previous');
    expect(await readdir(dir)).toEqual([]);
  });

  it('loads a checkpoint written before io owned them: same files, checksums by node:crypto', async () => {
    // What @fmnist/callbacks' saveCheckpoint wrote: the layers format, state.json, and SHA-256 by createHash.
    const model = tinyModel();
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const files: Record<string, Uint8Array | string> = {
      ...modelArtifactsToFiles(artifacts!),
      'state.json': JSON.stringify({ epoch: 7 }, null, 2),
    };
    const sums = Object.fromEntries(
      Object.entries(files).map(([name, content]) => [
        name,
        createHash('sha256').update(content).digest('hex'),
      ]),
    );
    files['checksums.json'] = `${JSON.stringify({ algorithm: 'sha256', files: sums }, null, 2)}\n`;
    const dir = join(root(), 'before');
    await writeDirectoryAtomic(join(dir, 'ckpt'), files);
    const loaded = tinyModel();
    tf.tidy(() => loaded.setWeights(loaded.getWeights().map((w) => tf.zerosLike(w))));
    expect(await loadCheckpoint(fileSystemCheckpointStore(dir), 'ckpt', loaded)).toEqual({ epoch: 7 });
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    const again = fileSystemCheckpointStore(join(root(), 'after'));
    await saveCheckpoint(again, 'ckpt', model, { includeOptimizer: false, state: { epoch: 7 } });
    expect(await readFile(join(root(), 'after', 'ckpt', 'checksums.json'), 'utf8')).toBe(
      files['checksums.json'],
    );
  });

  it('reports a folder it cannot write as an IoError naming it, the file system error as cause', async () => {
    const file = join(root(), 'a-file');
    await writeFile(file, 'not a directory');
    const store = fileSystemCheckpointStore(file);
    const error = await saveCheckpoint(store, 'checkpoint', tinyModel(tf.train.adam(0.01))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IoError);
    expect((error as Error).message).toBe(
      `saveCheckpoint: cannot write the checkpoint ${join(file, 'checkpoint')}`,
    );
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
  });

  it('lists nothing for a root that does not exist yet, and skips temporary folders', async () => {
    const dir = join(root(), 'listing');
    const store = fileSystemCheckpointStore(dir);
    expect(await store.list()).toEqual([]);
    await mkdir(join(dir, '.last.123.abcd.tmp'), { recursive: true });
    expect(await store.list()).toEqual([]);
    expect(() => fileSystemCheckpointStore('')).toThrow(
      new IoError('fileSystemCheckpointStore: root must be a directory path'),
    );
  });
});

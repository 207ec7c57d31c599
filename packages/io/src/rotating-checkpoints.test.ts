import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckpointStore } from './checkpoint-store.js';
import { IoError } from './errors.js';
import { fileSystemCheckpointStore } from './file-system-checkpoint-store.js';
import { memoryCheckpointStore } from './memory-checkpoint-store.js';
import { loadNewest, saveRotating } from './rotating-checkpoints.js';
import { cpuTestsWithTempDir, tf, tinyModel } from './testing/models.js';

const root = cpuTestsWithTempDir('fmnist-rotating-');
let stores = 0;

/** Flips the first byte of `file` in checkpoint `name`, leaving its checksum list as it was. */
async function damage(store: CheckpointStore, name: string, file: string) {
  const files = (await store.read(name))!;
  files[file]![0]! ^= 1;
  await store.write(name, files);
}

const cases: [string, () => CheckpointStore][] = [
  ['memoryCheckpointStore', memoryCheckpointStore],
  ['fileSystemCheckpointStore', () => fileSystemCheckpointStore(join(root(), `store-${stores++}`))],
];

describe.each(cases)('saveRotating and loadNewest with %s', (_, make) => {
  it('keep the checkpoint a save replaces as previous, and load the last', async () => {
    const store = make();
    expect(await loadNewest(store, tinyModel())).toBeUndefined();
    await saveRotating(store, tinyModel(), { state: { epoch: 1 } });
    expect(await store.list()).toEqual(['last']);
    await saveRotating(store, tinyModel(), { state: { epoch: 2 } });
    await saveRotating(store, tinyModel(), { state: { epoch: 3 } });
    expect(await store.list()).toEqual(['last', 'previous']);
    expect(await loadNewest(store, tinyModel())).toEqual({ name: 'last', state: { epoch: 3 } });
  });

  it('fall back to previous when last is damaged, naming the damaged file', async () => {
    const store = make();
    await saveRotating(store, tinyModel(), { state: { epoch: 1 } });
    await saveRotating(store, tinyModel(), { state: { epoch: 2 } });
    await damage(store, 'last', 'weights.bin');
    const loaded = await loadNewest<{ epoch: number }>(store, tinyModel());
    expect(loaded?.name).toBe('previous');
    expect(loaded?.state).toEqual({ epoch: 1 });
    expect(loaded?.damaged).toBeInstanceOf(IoError);
    expect(loaded?.damaged?.message).toMatch(
      `${store.describe('last', 'weights.bin')}: damaged checkpoint file (`,
    );
  });

  it("throw last's error when previous is damaged too, or missing", async () => {
    const store = make();
    await saveRotating(store, tinyModel(), { state: { epoch: 1 } });
    await saveRotating(store, tinyModel(), { state: { epoch: 2 } });
    await damage(store, 'last', 'state.json');
    await damage(store, 'previous', 'weights.bin');
    await expect(loadNewest(store, tinyModel())).rejects.toThrow(
      `${store.describe('last', 'state.json')}: damaged checkpoint file`,
    );
    await store.remove('previous');
    await expect(loadNewest(store, tinyModel())).rejects.toThrow(
      `${store.describe('last', 'state.json')}: damaged checkpoint file`,
    );
  });

  it('load previous when a save died after setting last aside, and take other names', async () => {
    const store = make();
    await saveRotating(store, tinyModel(), { state: { epoch: 1 } });
    await store.move('last', 'previous');
    expect(await loadNewest(store, tinyModel())).toEqual({ name: 'previous', state: { epoch: 1 } });
    const names = { last: 'newest', previous: 'older' };
    await saveRotating(store, tinyModel(tf.train.adam(0.1)), { ...names, state: { epoch: 5 } });
    await saveRotating(store, tinyModel(tf.train.adam(0.1)), { ...names, state: { epoch: 6 } });
    expect(await store.list()).toEqual(['newest', 'older', 'previous']);
    expect(await loadNewest(store, tinyModel(tf.train.adam(0.1)), names)).toEqual({
      name: 'newest',
      state: { epoch: 6 },
    });
  });
});

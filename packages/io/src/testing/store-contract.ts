import { describe, expect, it } from 'vitest';
import { loadCheckpoint, loadCheckpointTensors, saveCheckpoint } from '../checkpoint.js';
import type { CheckpointStore } from '../checkpoint-store.js';
import { IoError } from '../errors.js';
import { tf, tinyModel, weightsOf } from './models.js';

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/** What every CheckpointStore must do, run against a fresh store from `make`. */
export function checkpointStoreContract(label: string, make: () => CheckpointStore): void {
  describe(`${label}: the CheckpointStore contract`, () => {
    it('reads back what it wrote, strings as UTF-8, and holds nothing else', async () => {
      const store = make();
      expect(await store.read('a')).toBeUndefined();
      expect(await store.has('a')).toBe(false);
      await store.write('a', { 'x.json': '{"é":1}', 'y.bin': Uint8Array.of(1, 2, 255) });
      const files = await store.read('a');
      expect(Object.keys(files ?? {}).sort()).toEqual(['x.json', 'y.bin']);
      expect(text(files?.['x.json'])).toBe('{"é":1}');
      expect(Array.from(files?.['y.bin'] ?? [])).toEqual([1, 2, 255]);
      expect(await store.has('a')).toBe(true);
      expect(store.describe('a', 'y.bin')).toContain('a');
      expect(store.describe('a', 'y.bin')).toContain('y.bin');
    });

    it('replaces a checkpoint whole, and lists the checkpoints sorted', async () => {
      const store = make();
      await store.write('b', { 'old.txt': 'old', 'kept.txt': 'old' });
      await store.write('b', { 'kept.txt': 'new' });
      await store.write('a', { 'z.txt': 'z' });
      expect(Object.keys((await store.read('b')) ?? {})).toEqual(['kept.txt']);
      expect(text((await store.read('b'))?.['kept.txt'])).toBe('new');
      expect(await store.list()).toEqual(['a', 'b']);
    });

    it('leaves the previous checkpoint readable when a write fails part way', async () => {
      const store = make();
      await store.write('a', { 'model.json': 'first', 'weights.bin': Uint8Array.of(1) });
      const bad = { 'model.json': 'second', 'weights.bin': 42 as unknown as Uint8Array };
      await expect(store.write('a', bad)).rejects.toThrow();
      const files = await store.read('a');
      expect(text(files?.['model.json'])).toBe('first');
      expect(Array.from(files?.['weights.bin'] ?? [])).toEqual([1]);
      expect(await store.list()).toEqual(['a']);
    });

    it('hands out copies: changing what was read or written changes nothing stored', async () => {
      const store = make();
      const bytes = Uint8Array.of(1, 2);
      await store.write('a', { 'w.bin': bytes });
      bytes[0] = 9;
      const read = await store.read('a');
      read!['w.bin']![1] = 9;
      expect(Array.from((await store.read('a'))?.['w.bin'] ?? [])).toEqual([1, 2]);
    });

    it('removes and moves checkpoints, a move replacing its target', async () => {
      const store = make();
      await store.remove('none');
      await store.write('last', { 'f.txt': 'last' });
      await store.write('previous', { 'g.txt': 'previous' });
      await store.move('last', 'previous');
      expect(await store.has('last')).toBe(false);
      expect(Object.keys((await store.read('previous')) ?? {})).toEqual(['f.txt']);
      await expect(store.move('last', 'other')).rejects.toThrow(IoError);
      await store.remove('previous');
      expect(await store.list()).toEqual([]);
    });

    it('refuses names that every store could not hold alike', async () => {
      const store = make();
      for (const name of ['', 'a/b', 'a\\b', '.hidden', 'x.old'])
        await expect(store.write(name, {})).rejects.toThrow(IoError);
    });

    it('saves and loads a checkpoint: weights, optimizer state, state and tensor lists', async () => {
      const store = make();
      const model = tinyModel(tf.train.adam(0.01));
      const list = [tf.tensor1d([1, 2, 3])];
      await saveCheckpoint(store, 'ckpt', model, { state: { epoch: 3 }, tensors: { ema: list } });
      const loaded = tinyModel(tf.train.adam(0.01));
      tf.tidy(() => loaded.setWeights(loaded.getWeights().map((w) => tf.zerosLike(w))));
      expect(await loadCheckpoint(store, 'ckpt', loaded)).toEqual({ epoch: 3 });
      expect(weightsOf(loaded)).toEqual(weightsOf(model));
      const back = await loadCheckpointTensors(store, 'ckpt', 'ema');
      expect(back?.map((t) => Array.from(t.dataSync()))).toEqual([[1, 2, 3]]);
      tf.dispose([...list, ...(back ?? [])]);
    });

    it('refuses a checkpoint with a flipped byte, naming the file, before loading anything', async () => {
      const store = make();
      await saveCheckpoint(store, 'ckpt', tinyModel(), { state: { epoch: 1 } });
      const files = (await store.read('ckpt'))!;
      files['weights.bin']![0]! ^= 1;
      await store.write('ckpt', files);
      const target = tinyModel();
      tf.tidy(() => target.setWeights(target.getWeights().map((w) => tf.zerosLike(w))));
      const before = weightsOf(target);
      await expect(loadCheckpoint(store, 'ckpt', target)).rejects.toThrow(
        new IoError(
          `${store.describe('ckpt', 'weights.bin')}: damaged checkpoint file (${files['weights.bin']!.length} bytes whose SHA-256 differs from checksums.json)`,
        ),
      );
      expect(weightsOf(target)).toEqual(before);
    });
  });
}

import { mkdtemp, rename, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { IoError, indexedDbCheckpointStore, memoryCheckpointStore, saveCheckpoint } from '@fmnist/io';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckpointStore } from './run-checkpoint-store.js';
import {
  bestWeightsOnResume,
  hasRunCheckpoint,
  loadRunCheckpoint,
  saveRunCheckpoint,
} from './run-checkpoints.js';
import type { TrainingState } from './training-state.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'fmnist-checkpoint-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function tinyModel(value: number) {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2],
        units: 2,
        kernelInitializer: tfl.initializers.constant({ value }),
      }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

const state = (bests: { earlyStopping: number; bestCheckpoint: number }): TrainingState => ({
  epoch: 3,
  batchInEpoch: 0,
  globalStep: 30,
  augmentState: 1,
  trainSeconds: 1,
  imagesSeen: 300,
  callbacks: {
    earlyStopping: { best: bests.earlyStopping, wait: 1, bestEpoch: 1 },
    bestCheckpoint: { best: bests.bestCheckpoint },
  },
});

const kernelOf = (weights: tf.Tensor[] | undefined) => Array.from(weights![0]!.dataSync());

describe('bestWeightsOnResume', () => {
  it("gives back early stopping's best weights saved with the checkpoint", async () => {
    const store = runCheckpointStore(join(root, 'saved'));
    const model = tinyModel(1);
    const best = tinyModel(7).getWeights();
    await saveRunCheckpoint(store, model, state({ earlyStopping: 0.2, bestCheckpoint: 0.2 }), { best });
    const weights = await bestWeightsOnResume(
      store,
      'last',
      state({ earlyStopping: 0.2, bestCheckpoint: 0.2 }),
    );
    expect(kernelOf(weights)).toEqual([7, 7, 7, 7]);
    tf.dispose(weights ?? []);
  });

  it('falls back on checkpoints/best for an older checkpoint, only when it holds the same best', async () => {
    const out = join(root, 'older');
    const store = runCheckpointStore(out);
    const bests = { earlyStopping: 0.2, bestCheckpoint: 0.2 };
    await saveRunCheckpoint(store, tinyModel(1), state(bests));
    await saveCheckpoint(store, 'best', tinyModel(5), { state: state(bests) });
    const weights = await bestWeightsOnResume(store, 'last', state(bests));
    expect(kernelOf(weights)).toEqual([5, 5, 5, 5]);
    tf.dispose(weights ?? []);
    expect(
      await bestWeightsOnResume(store, 'last', state({ earlyStopping: 0.2, bestCheckpoint: 0.1 })),
    ).toBeUndefined();
    const elsewhere = runCheckpointStore(join(root, 'elsewhere'));
    await saveRunCheckpoint(elsewhere, tinyModel(1), state(bests));
    expect(await bestWeightsOnResume(elsewhere, 'last', state(bests))).toBeUndefined();
  });
});

describe('a run checkpoint', () => {
  const plain = (epoch: number): TrainingState => ({
    ...state({ earlyStopping: 1, bestCheckpoint: 1 }),
    epoch,
  });

  it('keeps the one it replaces as previous, and a resume falls back to it when last is damaged, saying why', async () => {
    const out = join(root, 'rotation');
    const store = runCheckpointStore(out);
    expect(await hasRunCheckpoint(store)).toBe(false);
    await saveRunCheckpoint(store, tinyModel(1), plain(1));
    await saveRunCheckpoint(store, tinyModel(2), plain(2));
    expect(await hasRunCheckpoint(store)).toBe(true);
    const model = tinyModel(0);
    expect(await loadRunCheckpoint(store, model)).toEqual({ name: 'last', state: plain(2) });
    expect(kernelOf(model.getWeights())).toEqual([2, 2, 2, 2]);
    const last = join(out, 'checkpoints', 'last', 'weights.bin');
    await truncate(last, 10);
    const resumed = await loadRunCheckpoint(store, model);
    expect(resumed).toMatchObject({ name: 'previous', state: plain(1) });
    expect(resumed.damaged).toBeInstanceOf(IoError);
    expect(resumed.damaged?.message).toBe(
      `${last}: damaged checkpoint file (10 bytes whose SHA-256 differs from checksums.json)`,
    );
    expect(kernelOf(model.getWeights())).toEqual([1, 1, 1, 1]);
    await truncate(join(out, 'checkpoints', 'previous', 'weights.bin'), 10);
    await expect(loadRunCheckpoint(store, model)).rejects.toThrow(`${last}: damaged checkpoint file`);
  });

  it('loads from where a save cut short between its two renames left it (last.old)', async () => {
    const out = join(root, 'set-aside');
    const store = runCheckpointStore(out);
    await saveRunCheckpoint(store, tinyModel(3), plain(3));
    await rename(join(out, 'checkpoints', 'last'), join(out, 'checkpoints', 'last.old'));
    expect(await hasRunCheckpoint(store)).toBe(true);
    expect(await loadRunCheckpoint(store, tinyModel(0))).toEqual({ name: 'last', state: plain(3) });
  });

  it('works in any store, memory too', async () => {
    const store = memoryCheckpointStore();
    await saveRunCheckpoint(store, tinyModel(4), plain(4), { ema: tinyModel(6).getWeights() });
    expect(await store.list()).toEqual(['last']);
    const model = tinyModel(0);
    expect((await loadRunCheckpoint(store, model)).state.epoch).toBe(4);
    expect(kernelOf(model.getWeights())).toEqual([4, 4, 4, 4]);
  });

  it("works in a browser's IndexedDB, a damaged last giving way to previous", async () => {
    const store = indexedDbCheckpointStore('run', { indexedDB: new IDBFactory() });
    await saveRunCheckpoint(store, tinyModel(1), plain(1));
    await saveRunCheckpoint(store, tinyModel(2), plain(2), { ema: tinyModel(6).getWeights() });
    const files = (await store.read('last'))!;
    files['weights.bin']![0]! ^= 1;
    await store.write('last', files);
    const model = tinyModel(0);
    const resumed = await loadRunCheckpoint(store, model);
    expect(resumed).toMatchObject({ name: 'previous', state: plain(1) });
    expect(resumed.damaged?.message).toMatch(
      /^indexeddb:\/\/run\/last\/weights\.bin: damaged checkpoint file/,
    );
    expect(kernelOf(model.getWeights())).toEqual([1, 1, 1, 1]);
  });
});

import '@tensorflow/tfjs-backend-cpu';
import { IoError, loadCheckpoint, memoryCheckpointStore } from '@fmnist/io';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunProgress } from './run-progress.js';
import type { CallbackState, TrainingState } from './training-state.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyModel(value: number) {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [2],
        units: 1,
        kernelInitializer: tfl.initializers.constant({ value }),
      }),
    ],
  });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

/** A callback with one counter, resumable as @fmnist/callbacks' stateful ones are. */
class Counter extends tfl.Callback {
  count = 0;
  getState(): CallbackState {
    return { count: this.count };
  }
  setState(state: CallbackState) {
    this.count = state.count ?? 0;
  }
}

describe('RunProgress', () => {
  it("counts batches, saves at each epoch's end with the callbacks' counters and kept tensors, and resumes from there", async () => {
    const store = memoryCheckpointStore();
    const progress = await RunProgress.start(store, tinyModel(1), { seed: 9 });
    expect(progress.state).toEqual({
      epoch: 0,
      batchInEpoch: 0,
      globalStep: 0,
      augmentState: 9,
      trainSeconds: 0,
      imagesSeen: 0,
    });
    expect(progress.resumed).toBeUndefined();
    const counter = new Counter();
    counter.count = 4;
    progress.resumable.counter = counter;
    progress.keepTensors('average', () => [tf.fill([2, 1], 3)]);
    for (const batch of [0, 1]) {
      await progress.onBatchBegin();
      await progress.onBatchEnd(batch, { size: 10 });
    }
    expect(progress.state).toMatchObject({ batchInEpoch: 2, globalStep: 2, imagesSeen: 20 });
    await progress.onEpochEnd(0);
    const saved = await loadCheckpoint<TrainingState>(store, 'last', tinyModel(0));
    expect(saved).toMatchObject({
      epoch: 1,
      batchInEpoch: 0,
      globalStep: 2,
      callbacks: { counter: { count: 4 } },
    });
    expect(saved?.epochTotals).toBeUndefined();

    const model = tinyModel(0);
    const resumed = await RunProgress.start(store, model, { seed: 9, resume: true });
    expect(resumed.resumed?.name).toBe('last');
    expect(resumed.state).toMatchObject({ epoch: 1, globalStep: 2 });
    const again = new Counter();
    resumed.resumable.counter = again;
    resumed.restoreCallbackStates();
    expect(again.count).toBe(4);
    const average = await resumed.resumedTensors('average');
    expect(Array.from(average![0]!.dataSync())).toEqual([3, 3]);
    expect(await resumed.resumedTensors('nothing')).toBeUndefined();
    expect(await resumed.resumedBestWeights()).toBeUndefined();
    tf.dispose(average ?? []);
  });

  it('saves mid-epoch with the running sums of the epoch when its minutes are up', async () => {
    const store = memoryCheckpointStore();
    const progress = await RunProgress.start(store, tinyModel(1), { seed: 1, saveEveryMinutes: 0 });
    Object.assign(progress.totals, { loss: 1.5, correct: 3, seen: 4 });
    await progress.onBatchBegin();
    await progress.onBatchEnd(0, { size: 4 });
    const saved = await loadCheckpoint<TrainingState>(store, 'last', tinyModel(0));
    expect(saved).toMatchObject({ batchInEpoch: 1, epochTotals: { loss: 1.5, correct: 3, seen: 4 } });
    const resumed = await RunProgress.start(store, tinyModel(0), { seed: 1, resume: true });
    expect(resumed.totals).toEqual({ loss: 1.5, correct: 3, seen: 4 });
  });

  it('reports a failed save to onSaveError and trains on; without it the failure stops training', async () => {
    const memory = memoryCheckpointStore();
    let full = true;
    const store = {
      ...memory,
      write: async (name: string, files: Parameters<typeof memory.write>[1]) => {
        if (full) throw new IoError(`indexeddb://run/${name}: storage is full`);
        await memory.write(name, files);
      },
    };
    const reported: string[] = [];
    const progress = await RunProgress.start(store, tinyModel(1), {
      seed: 1,
      onSaveError: (error) => reported.push(error.message),
    });
    await progress.onEpochEnd(0);
    expect(reported).toEqual(['indexeddb://run/last: storage is full']);
    expect(progress.state.epoch).toBe(1);
    full = false;
    await progress.onEpochEnd(1);
    expect(await memory.list()).toEqual(['last']);
    full = true;
    const strict = await RunProgress.start(store, tinyModel(1), { seed: 1 });
    await expect(strict.onEpochEnd(0)).rejects.toThrow('indexeddb://run/last: storage is full');
  });
});

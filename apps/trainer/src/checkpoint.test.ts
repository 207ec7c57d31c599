import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestWeightsOnResume, saveCheckpoint, type TrainingState } from './checkpoint.js';

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
    const out = join(root, 'saved');
    const model = tinyModel(1);
    const best = tinyModel(7).getWeights();
    await saveCheckpoint(
      join(out, 'checkpoints', 'last'),
      model,
      state({ earlyStopping: 0.2, bestCheckpoint: 0.2 }),
      {
        best,
      },
    );
    const weights = await bestWeightsOnResume(
      join(out, 'checkpoints', 'last'),
      out,
      state({ earlyStopping: 0.2, bestCheckpoint: 0.2 }),
    );
    expect(kernelOf(weights)).toEqual([7, 7, 7, 7]);
    tf.dispose(weights ?? []);
  });

  it('falls back on checkpoints/best for an older checkpoint, only when it holds the same best', async () => {
    const out = join(root, 'older');
    const bests = { earlyStopping: 0.2, bestCheckpoint: 0.2 };
    await saveCheckpoint(join(out, 'checkpoints', 'last'), tinyModel(1), state(bests));
    await saveCheckpoint(join(out, 'checkpoints', 'best'), tinyModel(5), state(bests));
    const last = join(out, 'checkpoints', 'last');
    const weights = await bestWeightsOnResume(last, out, state(bests));
    expect(kernelOf(weights)).toEqual([5, 5, 5, 5]);
    tf.dispose(weights ?? []);
    expect(
      await bestWeightsOnResume(last, out, state({ earlyStopping: 0.2, bestCheckpoint: 0.1 })),
    ).toBeUndefined();
    expect(await bestWeightsOnResume(last, join(root, 'elsewhere'), state(bests))).toBeUndefined();
  });
});

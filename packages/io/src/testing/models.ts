import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll } from 'vitest';

export { tf, tfl };

/** A small dense model with fixed initial weights, compiled with `optimizer`. */
export function tinyModel(optimizer: tf.Optimizer | string = 'sgd') {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 4,
        inputShape: [3],
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({
        units: 2,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

export function tinyData() {
  const xs = tf.tensor2d([
    [0, 1, 2],
    [1, 0, 1],
    [2, 2, 0],
    [0, 0, 1],
  ]);
  const ys = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
  ]);
  return { xs, ys };
}

/** `model`'s weights as plain numbers, to compare bit for bit. */
export const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

/** For a test file: the cpu backend. */
export function cpuTests(): void {
  beforeAll(() => tf.setBackend('cpu'));
}

/** For a test file: the cpu backend, and a fresh temporary directory (`dir()`) removed at the end. */
export function cpuTestsWithTempDir(prefix: string): () => string {
  let dir = '';
  cpuTests();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}

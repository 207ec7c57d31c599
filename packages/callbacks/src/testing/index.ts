import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Logs } from '../logs.js';

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
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
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

/** Overwrites logs[key] at each epoch end with the next scripted value (runs before the callback under test). */
export class ScriptedLogs extends tfl.Callback {
  constructor(
    private readonly key: string,
    private readonly values: number[],
  ) {
    super();
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    if (logs) logs[this.key] = this.values[epoch]!;
  }
}

/** Drives a callback's onEpochEnd through a scripted metric sequence; returns what `observe` saw after each. */
export async function drive<T>(
  callback: tfl.Callback,
  model: tfl.LayersModel,
  key: string,
  values: number[],
  observe: () => T,
): Promise<T[]> {
  callback.setModel(model);
  await callback.onTrainBegin({});
  const seen: T[] = [];
  for (let epoch = 0; epoch < values.length; epoch++) {
    await callback.onEpochBegin(epoch, {});
    await callback.onEpochEnd(epoch, { [key]: values[epoch]! });
    seen.push(observe());
    if (model.stopTraining) break;
  }
  return seen;
}

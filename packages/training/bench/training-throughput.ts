import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBestBackend } from '@fmnist/backend';
import { createCnnMlpModel, createModel, type ModelArchitecture } from '@fmnist/model';
import { DataParallelTrainer } from '../src/node.js';

interface ThroughputOptions {
  backend: 'wasm' | 'cpu';
  workers: number;
  batchNorm: boolean;
  /** The network: the report's CNN-MLP (default) or the small VGG (`createVggModel`). */
  architecture?: ModelArchitecture;
  batch: number;
  steps: number;
}

function batchOf(size: number) {
  const x = Float32Array.from({ length: size * 784 }, () => Math.random());
  const y = new Float32Array(size * 10);
  for (let i = 0; i < size; i++) y[i * 10 + (i % 10)] = 1;
  return { x, y };
}

/** Images per second of a model's data-parallel training step, after two warm-up steps. */
export async function trainingThroughput(
  options: ThroughputOptions,
): Promise<{ value: number; workers: number }> {
  const { backend, workers, batchNorm, architecture = 'cnn-mlp', batch, steps } = options;
  await useBestBackend(backend, { log: null });
  const model = createModel(architecture, { batchNorm, seed: 1 });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const trainer = await DataParallelTrainer.create(model, {
    workers,
    loss: { type: 'categoricalCrossentropy' },
  });
  const { x, y } = batchOf(batch);
  const step = () => trainer.step(x.slice(), [batch, 28, 28, 1], y.slice(), [batch, 10]);
  // Warm-up: kernel set-up, and enough calls for V8 to tier the WASM kernels up to optimized code.
  for (let i = 0; i < 2; i++) await step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000;
  const threads = trainer.threads;
  await trainer.dispose();
  model.dispose();
  return { value: Number(((batch * steps) / seconds).toFixed(1)), workers: threads };
}

/** Images per second of the CNN-MLP's forward pass on one batch, after two warm-up calls. */
export async function inferenceThroughput(batch: number): Promise<number> {
  await useBestBackend('wasm', { log: null });
  const model = createCnnMlpModel({ seed: 1 });
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const predict = () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  for (let i = 0; i < 2; i++) predict();
  const runs = 3;
  const started = performance.now();
  for (let i = 0; i < runs; i++) predict();
  const seconds = (performance.now() - started) / 1000;
  x.dispose();
  model.dispose();
  return Number(((batch * runs) / seconds).toFixed(1));
}

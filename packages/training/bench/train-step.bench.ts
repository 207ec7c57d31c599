// Training-step throughput of the CNN-MLP and VGG models, inference of the CNN-MLP. Prints one JSON object per line.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { simdKernelChoice, useBestBackend } from '@fmnist/backend';
import { createCnnMlpModel, type ModelArchitecture } from '@fmnist/model';
import { trainingThroughput } from './training-throughput.js';

const emit = (record: Record<string, unknown>) =>
  console.log(JSON.stringify({ ...record, node: process.version }));

async function trainThroughput(
  backend: 'wasm' | 'cpu',
  workers: number,
  batchNorm: boolean,
  batch: number,
  steps: number,
  architecture: ModelArchitecture = 'cnn-mlp',
) {
  const result = await trainingThroughput({ backend, workers, batchNorm, architecture, batch, steps });
  emit({
    name: `train.step${architecture === 'vgg' ? '.vgg' : ''}${batchNorm ? '.bn' : ''}`,
    value: result.value,
    unit: 'img/s',
    backend,
    workers: result.workers,
    batch,
    kernels: backend === 'wasm' ? simdKernelChoice().build : undefined,
  });
}

async function inference(backend: 'wasm' | 'cpu') {
  await useBestBackend(backend, { log: null });
  const model = createCnnMlpModel({ seed: 1 });
  const one = tf.randomUniform([1, 28, 28, 1]);
  const many = tf.randomUniform([1024, 28, 28, 1]);
  const predict = (x: tf.Tensor) => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  predict(one);
  const runs = 50;
  let started = performance.now();
  for (let i = 0; i < runs; i++) predict(one);
  emit({
    name: 'inference.batch1.latency',
    value: Number(((performance.now() - started) / runs).toFixed(2)),
    unit: 'ms',
    backend,
  });
  predict(many);
  started = performance.now();
  predict(many);
  const seconds = (performance.now() - started) / 1000;
  emit({
    name: 'inference.batch1024.throughput',
    value: Number((1024 / seconds).toFixed(1)),
    unit: 'img/s',
    backend,
  });
  tf.dispose([one, many]);
  model.dispose();
}

const steps = Number(process.env.BENCH_STEPS ?? 10);
await trainThroughput('wasm', 1, false, 128, steps);
await trainThroughput('wasm', (await import('node:os')).availableParallelism(), false, 128, steps);
await trainThroughput('wasm', (await import('node:os')).availableParallelism(), true, 128, steps);
await trainThroughput('wasm', (await import('node:os')).availableParallelism(), true, 128, steps, 'vgg');
// The cpu backend needs minutes per batch of 128; a batch of 8 measures its rate well enough.
await trainThroughput('cpu', 1, false, 8, 1);
await inference('wasm');
await inference('cpu');

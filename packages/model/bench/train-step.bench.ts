// Training-step and inference throughput of the seed model. Prints one JSON object per line.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { DataParallelTrainer, useBestBackend } from '@fmnist/backend';
import { createSeedModel } from '../src/index.node.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

function batchOf(size: number) {
  const x = Float32Array.from({ length: size * 784 }, () => Math.random());
  const y = new Float32Array(size * 10);
  for (let i = 0; i < size; i++) y[i * 10 + (i % 10)] = 1;
  return { x, y };
}

async function trainThroughput(
  backend: 'wasm' | 'cpu',
  workers: number,
  batchNorm: boolean,
  batch: number,
  steps: number,
) {
  await useBestBackend(backend, { log: null });
  const model = createSeedModel({ batchNorm, seed: 1 });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const trainer = await DataParallelTrainer.create(model, {
    workers,
    loss: { type: 'categoricalCrossentropy' },
  });
  const { x, y } = batchOf(batch);
  const step = () => trainer.step(x.slice(), [batch, 28, 28, 1], y.slice(), [batch, 10]);
  await step(); // warm-up: operator creation and weight packing
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000;
  await trainer.dispose();
  model.dispose();
  emit({
    name: `train.step${batchNorm ? '.bn' : ''}`,
    value: Number(((batch * steps) / seconds).toFixed(1)),
    unit: 'img/s',
    backend,
    workers: trainer.threads,
    batch,
  });
}

async function inference(backend: 'wasm' | 'cpu') {
  await useBestBackend(backend, { log: null });
  const model = createSeedModel({ seed: 1 });
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
// The cpu backend needs minutes per batch of 128; a batch of 8 measures its rate well enough.
await trainThroughput('cpu', 1, false, 8, 1);
await inference('wasm');
await inference('cpu');

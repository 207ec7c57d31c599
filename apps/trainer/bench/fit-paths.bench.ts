// The CNN-MLP trained by tfjs's model.fitDataset (our tf.data dataset and augmentation, one thread)
// against @fmnist/backend's data-parallel loop on the same batches, and the TensorBoard callback's cost.
// Prints one JSON object per line.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createAugmenter, randomCrop, randomFlip } from '@fmnist/augment';
import { useBestBackend } from '@fmnist/backend';
import { tensorBoard } from '@fmnist/callbacks/node';
import { batches, type ImageSet } from '@fmnist/dataset';
import { toTfDataset } from '@fmnist/dataset/tfjs-data';
import { createCnnMlpModel } from '@fmnist/model';
import { DataParallelTrainer, fitDataParallel, type TrainingBatch } from '@fmnist/training/node';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
const BATCH = 128;
const STEPS = Number(process.env.BENCH_STEPS ?? 8);

const count = BATCH * STEPS;
const set = {
  images: Uint8Array.from({ length: count * 784 }, () => Math.floor(Math.random() * 256)),
  labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  count,
  height: 28,
  width: 28,
  channels: 1,
} as ImageSet;
const pipeline = [randomCrop({ padding: 2 }), randomFlip()];

function compiled() {
  const model = createCnnMlpModel({ seed: 1 });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function fitDatasetRate(callbacks: tfl.Callback[] = []) {
  const model = compiled();
  const dataset = toTfDataset(set, { batchSize: BATCH, seed: 1, augment: createAugmenter(pipeline) });
  // Warm-up epoch: kernel set-up and V8 tier-up.
  await model.fitDataset(dataset, { epochs: 1, batchesPerEpoch: 2 });
  const started = performance.now();
  await model.fitDataset(dataset, { epochs: 1, callbacks });
  const seconds = (performance.now() - started) / 1000;
  model.dispose();
  return count / seconds;
}

async function dataParallelRate(workers: number) {
  const model = compiled();
  const trainer = await DataParallelTrainer.create(model, {
    workers,
    loss: { type: 'categoricalCrossentropy' },
  });
  const augment = createAugmenter(pipeline);
  function* epoch(): Generator<TrainingBatch> {
    for (const batch of batches(set, BATCH, { shuffle: true, seed: 1 })) {
      const pixels = augment({ data: batch.images, shape: [batch.count, 28, 28, 1] });
      const x = Float32Array.from(pixels.data, (v) => v / 255);
      const y = new Float32Array(batch.count * 10);
      for (let i = 0; i < batch.count; i++) y[i * 10 + batch.labels[i]!] = 1;
      yield { x, xShape: [batch.count, 28, 28, 1], y, yShape: [batch.count, 10] };
    }
  }
  await fitDataParallel(trainer, { epochs: 1, batches: () => epoch() });
  const started = performance.now();
  await fitDataParallel(trainer, { epochs: 1, batches: () => epoch() });
  const seconds = (performance.now() - started) / 1000;
  const threads = trainer.threads;
  await trainer.dispose();
  model.dispose();
  return { rate: count / seconds, threads };
}

/** Milliseconds of the TensorBoard callback's epoch end (scalars + histograms of all 22 weights) and batch end. */
async function tensorBoardCost() {
  const model = compiled();
  const logDir = join((await import('node:os')).tmpdir(), `fmnist-tb-bench-${process.pid}`);
  const callback = tensorBoard(logDir, { updateFreq: 'batch' });
  callback.setModel(model);
  await callback.onTrainBegin();
  const logs = { loss: 0.5, acc: 0.9, lr: 1e-3 };
  const runs = 20;
  let started = performance.now();
  for (let i = 0; i < runs; i++) await callback.onEpochEnd(i, { ...logs });
  const epochEnd = (performance.now() - started) / runs;
  started = performance.now();
  for (let i = 0; i < 200; i++) await callback.onBatchEnd(i, { ...logs, size: BATCH });
  const batchEnd = (performance.now() - started) / 200;
  model.dispose();
  (await import('node:fs')).rmSync(logDir, { recursive: true, force: true });
  return { epochEnd, batchEnd };
}

await useBestBackend('wasm', { log: null });
const fitDataset = await fitDatasetRate();
emit({
  name: 'train.fitDataset',
  value: Number(fitDataset.toFixed(1)),
  unit: 'img/s',
  threads: 1,
  batch: BATCH,
});
for (const workers of [1, availableParallelism()]) {
  const { rate, threads } = await dataParallelRate(workers);
  emit({
    name: 'train.fitDataParallel',
    value: Number(rate.toFixed(1)),
    unit: 'img/s',
    threads,
    batch: BATCH,
  });
  if (workers === 1)
    emit({
      name: 'train.fitDataset.vs.fitDataParallel.1thread',
      value: Number((fitDataset / rate).toFixed(3)),
      unit: 'ratio',
    });
}
const { epochEnd, batchEnd } = await tensorBoardCost();
emit({ name: 'tensorboard.epochEnd.withHistograms', value: Number(epochEnd.toFixed(2)), unit: 'ms' });
emit({ name: 'tensorboard.batchEnd', value: Number(batchEnd.toFixed(3)), unit: 'ms' });
emit({
  name: 'tensorboard.overhead.cnnMlpBnEpoch',
  // Against a 60,000-image epoch at batch 128 (469 batches) of the trainer's ~200 s.
  value: Number((((epochEnd + 469 * batchEnd) / 1000 / 200) * 100).toFixed(3)),
  unit: '% of a 200 s epoch, batch scalars on',
});

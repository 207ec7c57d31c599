// When does a second gradient thread pay? Images/s of a data-parallel training step with 1 and 2
// threads for conv nets of growing size (32x32 RGB, 3 classes, as a user's model; and 28x28 grey at
// Fashion-MNIST's size), interleaved so both counts see the same machine state. One JSON line each.
import { useBestBackend } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DataParallelTrainer } from '../src/node.js';

interface NetSpec {
  name: string;
  size: number;
  channels: number;
  classes: number;
  filters: number[];
  batchNorm: boolean;
}

const NETS: NetSpec[] = [
  { name: 'tiny', size: 32, channels: 3, classes: 3, filters: [16, 32], batchNorm: true },
  { name: 'small', size: 32, channels: 3, classes: 3, filters: [32, 64, 64], batchNorm: true },
  { name: 'medium', size: 28, channels: 1, classes: 10, filters: [32, 64, 64, 128], batchNorm: true },
  { name: 'large', size: 28, channels: 1, classes: 10, filters: [64, 128, 128, 256], batchNorm: true },
];

function build(spec: NetSpec): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [];
  spec.filters.forEach((filters, i) => {
    layers.push(
      tfl.layers.conv2d({
        ...(i === 0 ? { inputShape: [spec.size, spec.size, spec.channels] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: !spec.batchNorm,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: i + 1 }),
      }),
    );
    if (spec.batchNorm) layers.push(tfl.layers.batchNormalization());
    layers.push(tfl.layers.activation({ activation: 'relu' }));
    if (i % 2 === 1) layers.push(tfl.layers.maxPooling2d({ poolSize: 2 }));
  });
  layers.push(tfl.layers.globalAveragePooling2d({}));
  layers.push(tfl.layers.dropout({ rate: 0.3 }));
  layers.push(tfl.layers.dense({ units: spec.classes, activation: 'softmax' }));
  const model = tfl.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

async function imagesPerSecond(spec: NetSpec, workers: number, batch: number, steps: number) {
  const model = build(spec);
  const trainer = await DataParallelTrainer.create(model, { workers });
  const pixels = spec.size * spec.size * spec.channels;
  const x = Float32Array.from({ length: batch * pixels }, () => Math.random());
  const y = new Float32Array(batch * spec.classes).map((_, i) => (i % spec.classes === 0 ? 1 : 0));
  const xShape = [batch, spec.size, spec.size, spec.channels];
  const step = () => trainer.step(x.slice(), xShape, y.slice(), [batch, spec.classes]);
  for (let i = 0; i < 2; i++) await step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000;
  const parameters = model.countParams();
  await trainer.dispose();
  model.dispose();
  return { value: (batch * steps) / seconds, parameters };
}

await useBestBackend('wasm', { log: null });
const batch = Number(process.env.BENCH_BATCH ?? 64);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
for (const spec of NETS) {
  const results: Record<number, number[]> = { 1: [], 2: [] };
  let parameters = 0;
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2]) {
      const steps = spec.name === 'large' ? 4 : 8;
      const measured = await imagesPerSecond(spec, workers, batch, steps);
      results[workers]!.push(measured.value);
      parameters = measured.parameters;
    }
  }
  const best = (w: number) => Math.max(...results[w]!);
  for (const workers of [1, 2])
    console.log(
      JSON.stringify({
        name: `data-parallel training step, ${spec.name} net`,
        value: Number(best(workers).toFixed(1)),
        unit: 'img/s',
        backend: 'wasm',
        workers,
        parameters,
        input: `${spec.size}x${spec.size}x${spec.channels}`,
        batch,
      }),
    );
  console.log(
    JSON.stringify({
      name: `two threads over one, ${spec.name} net`,
      value: Number((best(2) / best(1)).toFixed(2)),
      unit: 'ratio',
      backend: 'wasm',
      parameters,
      batch,
    }),
  );
}

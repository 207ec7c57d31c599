// What the data-parallel trainer's finiteness guards cost per step, at the CNN-MLP's size (297,898
// weights) and a batch of 128 Fashion-MNIST images: the input scan and the gradient check, one JSON
// line each, beside a whole training step's time from docs/benchmarks.md for scale.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@fmnist/backend';
import { firstNonFinite, nonFiniteGradient } from '../src/data-parallel/finite.js';

registerWasmTrainingKernels();
await tf.setBackend('wasm');

const batch = 128;
// The report's network's trainable weights (conv 32, 64, 64, 128; dense 32, 10): 297,898 values.
const CNN_MLP_WEIGHT_SHAPES = [
  [3, 3, 1, 32],
  [32],
  [3, 3, 32, 64],
  [64],
  [3, 3, 64, 64],
  [64],
  [5, 5, 64, 128],
  [128],
  [1152, 32],
  [32],
  [32, 10],
  [10],
];

function msPerCall(f: () => void, reps = 200): number {
  for (let i = 0; i < 20; i++) f();
  const started = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - started) / reps;
}

const x = Float32Array.from({ length: batch * 784 }, () => Math.random());
const y = new Float32Array(batch * 10).map((_, i) => (i % 10 === 0 ? 1 : 0));
const grads = CNN_MLP_WEIGHT_SHAPES.map((shape, i) => ({
  name: `w${i}`,
  tensor: tf.randomNormal(shape),
}));
const tensorsBefore = tf.memory().numTensors;
const figures = {
  'guard input scan (x and y of a batch of 128)': msPerCall(() => {
    firstNonFinite(x);
    firstNonFinite(y);
  }),
  'guard gradient check (297,898 weights)': msPerCall(() => {
    nonFiniteGradient(grads);
  }),
};
if (tf.memory().numTensors !== tensorsBefore) throw new Error('the gradient check leaked tensors');
for (const [name, value] of Object.entries(figures))
  console.log(
    JSON.stringify({ name, value: Number(value.toFixed(4)), unit: 'ms/step', backend: 'wasm', batch }),
  );

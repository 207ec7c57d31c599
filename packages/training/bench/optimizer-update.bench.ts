// What one AdamW update of the `vgg` network's trainable weights (288,618 values in 26 variables) costs
// on wasm: with @fmnist/backend's FmnistAdamW kernel (one per variable, what the trainer runs) and with
// it unregistered (the optimizer's tfjs ops, a dozen element-wise kernels per variable), interleaved.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { ADAMW_KERNEL, registerWasmTrainingKernels } from '@fmnist/backend';
import { adamw, createVggModel } from '@fmnist/model';

registerWasmTrainingKernels();
await tf.setBackend('wasm');

const model = createVggModel({ batchNorm: true, seed: 1 });
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const grads = variables.map((v) => ({ name: v.name, tensor: tf.mul(tf.randomNormal(v.shape), 1e-3) }));
const kernel = tf.getKernel(ADAMW_KERNEL, 'wasm')!;

function msPerUpdate(fused: boolean, reps = 100): number {
  if (!fused) tf.unregisterKernel(ADAMW_KERNEL, 'wasm');
  try {
    const optimizer = adamw({ learningRate: 3e-3 });
    for (let i = 0; i < 10; i++) optimizer.applyGradients(grads);
    const tensorsBefore = tf.memory().numTensors;
    const started = performance.now();
    for (let i = 0; i < reps; i++) optimizer.applyGradients(grads);
    const ms = (performance.now() - started) / reps;
    if (tf.memory().numTensors !== tensorsBefore) throw new Error('the optimizer update leaked tensors');
    optimizer.dispose();
    return ms;
  } finally {
    if (!fused) tf.registerKernel(kernel);
  }
}

const rounds = { fused: [] as number[], ops: [] as number[] };
for (let round = 0; round < 3; round++) {
  rounds.fused.push(msPerUpdate(true));
  rounds.ops.push(msPerUpdate(false));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
const values = variables.reduce((sum, v) => sum + v.size, 0);
for (const [path, times] of Object.entries(rounds))
  console.log(
    JSON.stringify({
      name: `vgg AdamW update (${values} values, ${variables.length} variables), ${path === 'fused' ? ADAMW_KERNEL : 'tfjs ops'}`,
      value: Number(median(times).toFixed(3)),
      unit: 'ms/step',
      backend: 'wasm',
    }),
  );

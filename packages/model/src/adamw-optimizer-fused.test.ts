import { registerWasmTrainingKernels } from '@fmnist/backend';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AdamWConfig, AdamWOptimizer } from './adamw-optimizer.js';

registerWasmTrainingKernels();

/** Five steps on two variables (one of 1,027 values: vectors of four and a tail); their final values. */
async function train(backend: string, config: AdamWConfig) {
  await tf.setBackend(backend);
  const values = (length: number, seed: number) =>
    Float32Array.from({ length }, (_, i) => Math.sin(seed * 7.3 + i * 0.37) * 0.5);
  const variables = [
    tf.variable(tf.tensor2d(values(6, 1), [2, 3])),
    tf.variable(tf.tensor1d(values(1027, 2))),
  ];
  const optimizer = new AdamWOptimizer(config);
  const before = tf.memory().numTensors;
  const profile = await tf.profile(() => {
    for (let step = 0; step < 5; step++) {
      const grads = variables.map((v, k) =>
        tf.tidy(() => tf.mul(tf.sin(tf.add(v, step + k)), 0.1 * (step + 1))),
      );
      optimizer.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
      tf.dispose(grads);
      // The optimizer's slots are made in its first step.
      if (step === 0) expect(tf.memory().numTensors).toBeGreaterThan(before);
    }
  });
  const slots = config.amsgrad ? 3 : 2;
  expect(tf.memory().numTensors).toBe(before + slots * variables.length);
  const result = variables.map((v) => v.dataSync() as Float32Array);
  const kernels = profile.kernels.map((k) => k.name);
  optimizer.dispose();
  tf.dispose(variables);
  return { result, kernels };
}

describe('AdamWOptimizer with @fmnist/backend on wasm', () => {
  it.each([
    { learningRate: 3e-3, weightDecay: 0.01 },
    { learningRate: 1e-3, amsgrad: true },
  ])('steps in one FmnistAdamW kernel per variable, as its tfjs ops do on cpu (%j)', async (config) => {
    const onCpu = await train('cpu', config);
    const onWasm = await train('wasm', config);
    // One kernel per variable and step, and none of the ops' (Sqrt, RealDiv, Maximum…).
    expect(onWasm.kernels.filter((name) => name === 'FmnistAdamW')).toHaveLength(10);
    expect(onWasm.kernels.filter((name) => ['Sqrt', 'RealDiv', 'Maximum', 'Sub'].includes(name))).toEqual([]);
    expect(onCpu.kernels.filter((name) => name === 'RealDiv')).toHaveLength(10);
    onCpu.result.forEach((want, k) => {
      const got = onWasm.result[k]!;
      expect(want.findIndex((w, i) => Math.abs(w - got[i]!) > 1e-6 * Math.max(1, Math.abs(w)))).toBe(-1);
    });
  });
});

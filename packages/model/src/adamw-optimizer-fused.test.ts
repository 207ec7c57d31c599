import { registerWasmTrainingKernels } from '@fmnist/backend';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AdamWConfig, AdamWOptimizer } from './adamw-optimizer.js';

registerWasmTrainingKernels();

const KERNEL = 'FmnistAdamW';

/** Runs `f` with the kernel unregistered, so the optimizer takes its tfjs ops. */
async function withoutKernel<T>(f: () => Promise<T>): Promise<T> {
  const config = tf.getKernel(KERNEL, 'wasm')!;
  tf.unregisterKernel(KERNEL, 'wasm');
  try {
    return await f();
  } finally {
    tf.registerKernel(config);
  }
}

/**
 * Five steps on two variables (one of 1,027 values: vectors of four and a tail), with gradients that
 * shrink so AMSGrad's maximum stays above v: the variables' and the optimizer's final values.
 */
async function train(config: AdamWConfig) {
  await tf.setBackend('wasm');
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
        tf.tidy(() => tf.mul(tf.sin(tf.add(v, step + k)), 0.1 / (step + 1))),
      );
      optimizer.applyGradients(variables.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
      tf.dispose(grads);
    }
  });
  const slots = config.amsgrad ? 3 : 2;
  expect(tf.memory().numTensors).toBe(before + slots * variables.length);
  const state = (await optimizer.getWeights()).slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  const result = [...variables.map((v) => v.dataSync() as Float32Array), ...state];
  const kernels = profile.kernels.map((k) => k.name);
  optimizer.dispose();
  tf.dispose(variables);
  return { result, kernels };
}

describe('AdamWOptimizer with @fmnist/backend on wasm', () => {
  it.each([
    { learningRate: 3e-3, weightDecay: 0.01 },
    { learningRate: 1e-3, amsgrad: true },
  ])('steps in one FmnistAdamW kernel per variable, bit for bit as its tfjs ops (%j)', async (config) => {
    const ops = await withoutKernel(() => train(config));
    const fused = await train(config);
    // One kernel per variable and step, and none of the ops' (Sqrt, RealDiv, Maximum…).
    expect(fused.kernels.filter((name) => name === KERNEL)).toHaveLength(10);
    expect(fused.kernels.filter((name) => ['Sqrt', 'RealDiv', 'Maximum', 'Sub'].includes(name))).toEqual([]);
    expect(ops.kernels.filter((name) => name === 'RealDiv')).toHaveLength(10);
    // Values, then m, v (and vhat) of each variable.
    expect(fused.result).toHaveLength(config.amsgrad ? 8 : 6);
    ops.result.forEach((want, k) => expect(want.findIndex((w, i) => w !== fused.result[k]![i])).toBe(-1));
  });

  it('leaves a state of other shapes to the ops, which refuse it, rather than run the kernel on it', async () => {
    await tf.setBackend('wasm');
    const variable = tf.variable(tf.zeros([4, 3]));
    const optimizer = new AdamWOptimizer({ learningRate: 1e-3 });
    // Moments saved for a variable of 11 values.
    await optimizer.setWeights([
      { name: 'iter', tensor: tf.scalar(3, 'int32') },
      { name: 'w/m', tensor: tf.zeros([11]) },
      { name: 'w/v', tensor: tf.zeros([11]) },
    ]);
    const gradient = tf.ones([4, 3]);
    // The ops' broadcast error, not the kernel's (which names m); tf.profile is not used here because
    // tfjs-wasm's profiler leaves a kernel's error unhandled.
    expect(() => optimizer.applyGradients([{ name: variable.name, tensor: gradient }])).toThrow(
      /could not be broadcast together with shapes 11 and 4,3/,
    );
    expect(Array.from(variable.dataSync())).toEqual(new Array(12).fill(0));
    optimizer.dispose();
    tf.dispose([variable, gradient]);
  });
});

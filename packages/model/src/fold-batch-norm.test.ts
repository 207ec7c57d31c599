import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldBatchNorm } from './fold-batch-norm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded uniform values in [lo, hi), so every run folds the same numbers. */
function uniform(seed: number, length: number, lo: number, hi: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return lo + ((hi - lo) * state) / 2 ** 32;
  });
}

/**
 * Gives every weight of `model` seeded values, BatchNorm statistics far from their fresh 0 and 1 (a fold
 * of the fresh ones would hide a wrong formula) and positive variances.
 */
function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  model.layers.forEach((layer, l) => {
    const values = layer.weights.map((w, i) => {
      const size = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
      const positive = w.originalName.endsWith('moving_variance');
      const data = uniform(seed * 1000 + l * 10 + i, size, positive ? 0.2 : -1, positive ? 2 : 1);
      return tf.tensor(data, w.shape as number[]);
    });
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  });
}

function predictions(model: tfl.LayersModel, input: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync() as Float32Array);
}

/** Each of `actual` within `relative` of `expected`, relative to the largest magnitude expected. */
function expectClose(actual: Float32Array, expected: Float32Array, relative = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)));
  expect(worst).toBeLessThanOrEqual(relative * scale);
}

const classNames = (model: tfl.LayersModel) => model.layers.map((l) => l.getClassName());

/** Folds `model`, checks the copy's layers and that it computes what `model` does on `input`; frees all. */
function expectFoldedAlike(model: tfl.LayersModel, input: tf.Tensor, layers: string[]): tfl.LayersModel {
  const folded = foldBatchNorm(model)!;
  expect(classNames(folded)).toEqual(layers);
  expectClose(predictions(folded, input), predictions(model, input));
  input.dispose();
  return folded;
}

function convBnRelu(useBias: boolean): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias }).apply(input);
  x = tfl.layers.batchNormalization({ epsilon: 0.01 }).apply(x);
  x = tfl.layers.activation({ activation: 'relu' }).apply(x);
  x = tfl.layers.flatten().apply(x);
  const output = tfl.layers.dense({ units: 5, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output });
}

const images = () => tf.tensor(uniform(7, 2 * 8 * 8 * 3, 0, 1), [2, 8, 8, 3]);

describe('foldBatchNorm', () => {
  it.each([true, false])('folds conv → BN → ReLU into one fused conv (bias: %s)', (useBias) => {
    const model = convBnRelu(useBias);
    randomizeWeights(model);
    const folded = expectFoldedAlike(model, images(), ['InputLayer', 'Conv2D', 'Flatten', 'Dense']);
    const conv = folded.layers[1]!.getConfig();
    expect(conv.activation).toBe('relu');
    expect(conv.useBias).toBe(true);
    folded.dispose();
    model.dispose();
  });

  it('folds Dense → BN without beta and a BN-less conv → ReLU, drops Dropout, in a Sequential model', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }),
        tfl.layers.activation({ activation: 'relu' }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 6 }),
        // Without beta: the shift comes from the moving mean alone.
        tfl.layers.batchNormalization({ center: false }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    randomizeWeights(model, 2);
    const x = tf.tensor(uniform(3, 3 * 6 * 6 * 2, -1, 1), [3, 6, 6, 2]);
    expectFoldedAlike(model, x, ['InputLayer', 'Conv2D', 'Flatten', 'Dense', 'Dense']).dispose();
    model.dispose();
  });

  it('keeps a BN whose conv feeds two layers, and still computes the same', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const conv = tfl.layers.conv2d({ filters: 3, kernelSize: 1 }).apply(input) as tfl.SymbolicTensor;
    const normalized = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([conv, normalized]) as tfl.SymbolicTensor;
    // The second conv → BN → ReLU folds; the first BN stays because `add` also reads its conv.
    let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(sum);
    x = tfl.layers.batchNormalization().apply(x);
    x = tfl.layers.activation({ activation: 'relu' }).apply(x);
    const model = tfl.model({ inputs: input, outputs: x as tfl.SymbolicTensor });
    randomizeWeights(model, 3);
    const layers = ['InputLayer', 'Conv2D', 'BatchNormalization', 'Add', 'Conv2D'];
    expectFoldedAlike(model, images(), layers).dispose();
    model.dispose();
  });

  it('gives null when nothing folds: a BN over another axis, a conv with its own activation, a model output', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(input);
    x = tfl.layers.batchNormalization({ axis: 1 }).apply(x);
    x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(x);
    x = tfl.layers.batchNormalization().apply(x);
    const hidden = tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor;
    const output = tfl.layers.batchNormalization().apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [hidden, output] });
    expect(foldBatchNorm(model)).toBeNull();
    model.dispose();
  });

  it('gives null for a layer called twice (a shared layer)', () => {
    const input = tfl.input({ shape: [4] });
    const shared = tfl.layers.dense({ units: 4 });
    let x = shared.apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization().apply(shared.apply(x)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: x });
    expect(foldBatchNorm(model)).toBeNull();
    model.dispose();
  });

  it("leaves the original's layers and weights as they were, and its disposal frees only the copy's", () => {
    const model = convBnRelu(true);
    randomizeWeights(model, 4);
    const before = model.weights.map((w) => Array.from(w.read().dataSync()));
    const layersBefore = classNames(model);
    const { numTensors: tensorsBefore, numDataBuffers: buffersBefore } = tf.memory();
    const folded = foldBatchNorm(model)!;
    // New memory only for the folded conv's kernel and bias; the Dense shares the original's.
    expect(tf.memory().numTensors).toBe(tensorsBefore + folded.weights.length);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 2);
    expect(model.weights.map((w) => Array.from(w.read().dataSync()))).toEqual(before);
    expect(classNames(model)).toEqual(layersBefore);
    expect(model.layers.every((layer) => layer.inboundNodes.length === 1)).toBe(true);
    folded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore);
    expect(model.weights.map((w) => Array.from(w.read().dataSync()))).toEqual(before);
    model.dispose();
  });
});

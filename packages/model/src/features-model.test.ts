import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClassifierError } from './errors.js';
import { featuresModel } from './index.js';

beforeAll(() => tf.setBackend('cpu'));

const seeded = (n: number) => tfl.initializers.glorotUniform({ seed: n });

describe('featuresModel (exported from @fmnist/model)', () => {
  it("gives the head's input, past a dropout and a separate softmax, with the model's own weights", () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [4, 4, 1] }),
        tfl.layers.dense({ units: 5, activation: 'relu', kernelInitializer: seeded(1), name: 'hidden' }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 3, kernelInitializer: seeded(2) }),
        tfl.layers.activation({ activation: 'softmax' }),
      ],
    });
    const features = featuresModel(model);
    expect(features.outputs[0]!.shape).toEqual([null, 5]);
    // The head's input is the dropout's output: the hidden layer's at inference.
    expect(features.outputs[0]!.sourceLayer).toBe(model.layers[2]);
    const before = tf.memory().numTensors;
    const [fromFeatures, expected] = tf.tidy(() => {
      const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 3);
      const [kernel, bias] = model.getLayer('hidden').getWeights();
      const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(x, [2, 16]), kernel!), bias!));
      return [(features.predict(x) as tf.Tensor).arraySync(), hidden.arraySync()];
    }) as unknown as [number[][], number[][]];
    expect(tf.memory().numTensors).toBe(before);
    fromFeatures.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i]!, 5));
    // Shared layers: training the model moves the features model's weights too.
    expect(features.getLayer('hidden')).toBe(model.getLayer('hidden'));
    model.dispose();
  });

  it('refuses a model whose head reads the images, or whose head is reached through a merge', () => {
    const direct = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8], units: 3 })] });
    expect(() => featuresModel(direct)).toThrow(ClassifierError);
    expect(() => featuresModel(direct)).toThrow(/takes the images themselves: no hidden layer/);
    const input = tfl.input({ shape: [8] });
    const a = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 3 }).apply(input) as tfl.SymbolicTensor;
    const merged = tfl.model({
      inputs: input,
      outputs: tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor,
    });
    expect(() => featuresModel(merged)).toThrow(/layer '.+' has 2 inputs before any layer with a kernel/);
    for (const m of [direct, merged]) m.dispose();
  });
});

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateClassifier } from './tfjs.js';

const classNames = ['a', 'b', 'c'];
let model: tfl.LayersModel;
const n = 37;
const images = {
  data: Uint8Array.from({ length: n * 16 }, (_, i) => (i * 37) % 256),
  shape: [n, 4, 4, 1] as [number, number, number, number],
};
const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [4, 4, 1] }),
      tfl.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
});

describe('evaluateClassifier', () => {
  it('gives the same report streamed in small batches as in one batch, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const streamed = await evaluateClassifier(model, images, labels, { classNames, batchSize: 5 });
    const whole = await evaluateClassifier(model, images, labels, { classNames, batchSize: 1000 });
    expect(tf.memory().numTensors).toBe(before);
    expect(streamed.report.confusionMatrix).toEqual(whole.report.confusionMatrix);
    expect(Array.from(streamed.probabilities)).toEqual(Array.from(whole.probabilities));
    expect(streamed.misclassified).toHaveLength(
      n - streamed.report.confusionMatrix.reduce((a, row, i) => a + row[i]!, 0),
    );
    expect(streamed.imagesPerSecond).toBeGreaterThan(0);
  });

  it('matches predictions computed directly', async () => {
    const result = await evaluateClassifier(model, images, labels, { classNames });
    const direct = tf.tidy(() =>
      tf
        .argMax(
          model.predict(tf.div(tf.tensor4d(images.data, images.shape, 'float32'), 255)) as tf.Tensor,
          -1,
        )
        .dataSync(),
    );
    expect(Array.from(result.predictions)).toEqual(Array.from(direct));
  });

  it('rejects mismatched labels and outputs', async () => {
    await expect(evaluateClassifier(model, images, labels.subarray(1), { classNames })).rejects.toThrow(
      'evaluateClassifier: 37 images but 36 labels',
    );
    await expect(evaluateClassifier(model, images, labels, { classNames: ['a', 'b'] })).rejects.toThrow(
      'the model gave 3 outputs per image (3 classes), classNames has 2',
    );
  });

  it('names classes by index when no names are given', async () => {
    const result = await evaluateClassifier(model, images, labels);
    expect(result.report.classNames).toEqual(['0', '1', '2']);
    expect(result.report.accuracy).toBe(
      (await evaluateClassifier(model, images, labels, { classNames })).report.accuracy,
    );
  });

  it('treats a model with one sigmoid output as a binary classifier (p for class 1)', async () => {
    const binary = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [4, 4, 1] }),
        tfl.layers.dense({
          units: 1,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
        }),
      ],
    });
    const binaryLabels = labels.map((l) => (l === 0 ? 0 : 1));
    const result = await evaluateClassifier(binary, images, binaryLabels, { classNames: ['no', 'yes'] });
    const p = tf.tidy(() =>
      (
        binary.predict(tf.div(tf.tensor4d(images.data, images.shape, 'float32'), 255)) as tf.Tensor
      ).dataSync(),
    );
    expect(result.probabilities[1]).toBeCloseTo(p[0]!, 6);
    expect(result.probabilities[0]! + result.probabilities[1]!).toBeCloseTo(1, 6);
    expect(Array.from(result.predictions)).toEqual(Array.from(p, (v) => (v > 0.5 ? 1 : 0)));
    expect(result.report.classNames).toEqual(['no', 'yes']);
    await expect(
      evaluateClassifier(binary, images, binaryLabels, { classNames: classNames }),
    ).rejects.toThrow('the model gave 1 output per image (a binary classifier, 2 classes), classNames has 3');
    binary.dispose();
  });
});

import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvaluationError } from './errors.js';
import { evaluateClassifier, type Predictor } from './tfjs.js';

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

  it('refuses images holding NaN or ±Infinity, naming the image, the pixel and the value', async () => {
    const floats = { data: Float32Array.from(images.data, (v) => v / 255), shape: images.shape };
    expect((await evaluateClassifier(model, floats, labels, { classNames })).report.count).toBe(n);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const data = floats.data.slice();
      data[2 * 16 + 5] = bad;
      data[3 * 16] = bad;
      await expect(evaluateClassifier(model, { data, shape: images.shape }, labels)).rejects.toThrow(
        new EvaluationError(
          `evaluateClassifier: images.data[37] is ${bad} (image 2, pixel 5); expected finite pixel values`,
        ),
      );
    }
  });

  it('says there are no images when given none, whatever the labels', async () => {
    const none = { data: new Uint8Array(0), shape: [0, 4, 4, 1] as [number, number, number, number] };
    for (const given of [new Uint8Array(0), labels])
      await expect(evaluateClassifier(model, none, given, { classNames })).rejects.toThrow(
        new EvaluationError(
          'evaluateClassifier: images holds no images (shape [0, 4, 4, 1]); expected at least 1',
        ),
      );
    await expect(
      evaluateClassifier(
        model,
        { images: new Uint8Array(0), count: 0, height: 4, width: 4, channels: 1 },
        [],
      ),
    ).rejects.toThrow('evaluateClassifier: images holds no images');
  });

  it('rejects labels that are not class indices of the model, naming the first bad one', async () => {
    const outside = labels.slice();
    outside[4] = 3;
    await expect(evaluateClassifier(model, images, outside)).rejects.toThrow(
      new EvaluationError('evaluateClassifier: labels[4] is 3, outside the 3 classes 0–2 of the model'),
    );
    await expect(
      evaluateClassifier(
        model,
        images,
        Array.from(labels, (l, i) => (i === 6 ? 0.5 : l)),
      ),
    ).rejects.toThrow(
      new EvaluationError('evaluateClassifier: labels[6] is 0.5, outside the 3 classes 0–2 of the model'),
    );
  });

  it('rejects a model whose outputs are not a fixed count per image', async () => {
    const answers = (perImage: number[]): Predictor => {
      let call = 0;
      return { predict: (x) => tf.zeros([x.shape[0]!, perImage[call++]!]) };
    };
    await expect(evaluateClassifier(answers([0]), images, labels)).rejects.toThrow(
      new EvaluationError(
        'evaluateClassifier: the model gave 0 values for 37 images; expected 1 or more per image',
      ),
    );
    await expect(evaluateClassifier(answers([3, 4]), images, labels, { batchSize: 20 })).rejects.toThrow(
      new EvaluationError('evaluateClassifier: the model gave 3 outputs per image, then 4'),
    );
  });

  it('rejects a shape that is not [n, height, width, channels] of positive sizes', async () => {
    await expect(
      evaluateClassifier(model, { data: new Uint8Array(0), shape: [n, 0, 4, 1] }, labels),
    ).rejects.toThrow(
      new EvaluationError(
        'evaluateClassifier: images shape must be [n, height, width, channels] with n ≥ 0 and positive sizes, got [37, 0, 4, 1]',
      ),
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

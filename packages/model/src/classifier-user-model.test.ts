import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directorySaveHandler } from '@fmnist/io/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier, type Prediction } from './classifier.js';
import { ClassifierError } from './errors.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { loadClassifier, type NodeClassifier } from './node/load.js';
import { toModelInput } from './preprocess.js';

// A user's own model, as in the report that asked for this: 32x32 RGB in, conv + BatchNorm + Dropout, 3 classes.
const SIZE = 32;
const CHANNELS = 3;
const PIXELS = SIZE * SIZE * CHANNELS;
const NAMES = ['reddish', 'greenish', 'bluish'];

function createUserModel(): tfl.Sequential {
  const seed = (n: number) => tfl.initializers.glorotUniform({ seed: n });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [SIZE, SIZE, CHANNELS],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        kernelInitializer: seed(1),
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: NAMES.length, activation: 'softmax', kernelInitializer: seed(2) }),
    ],
  });
}

/** A seeded generator of numbers in [0, 1) (mulberry32), so the images are the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` noisy `width`x`height` RGB images in 0–255 whose class is the brightest channel: class c has
 * channel c at 130–255, the others at 0–125, pixel by pixel. Labels cycle 0, 1, 2.
 */
function colourImages(count: number, seed: number, width = SIZE, height = SIZE) {
  const next = random(seed);
  const bytes = new Uint8Array(count * width * height * CHANNELS);
  const labels = Array.from({ length: count }, (_, i) => i % NAMES.length);
  for (let i = 0; i < count; i++)
    for (let p = 0; p < width * height; p++)
      for (let c = 0; c < CHANNELS; c++)
        bytes[(i * width * height + p) * CHANNELS + c] =
          c === labels[i] ? 130 + Math.floor(next() * 126) : Math.floor(next() * 126);
  return { bytes, labels };
}

const accuracy = (rows: Prediction[][], labels: number[]) =>
  rows.filter((row, i) => row[0]!.classIndex === labels[i]).length / labels.length;

let root: string;
let classifier: NodeClassifier;
const test = colourImages(30, 2);
const testFloats = Float32Array.from(test.bytes, (v) => v / 255);

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'fmnist-user-model-'));
  const model = createUserModel();
  const train = colourImages(60, 1);
  const [x, y] = tf.tidy(() => [
    tf.tensor4d(
      Float32Array.from(train.bytes, (v) => v / 255),
      [60, SIZE, SIZE, CHANNELS],
    ),
    tf.cast(tf.oneHot(train.labels, NAMES.length), 'float32'),
  ]);
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  // Four epochs classify every held-out image here; the untrained model gets none right.
  await model.fit(x!, y!, { epochs: 4, batchSize: 15, verbose: 0 });
  tf.dispose([x!, y!]);
  await model.save(directorySaveHandler(join(root, 'user')));
  model.dispose();
  classifier = await loadClassifier({ model: join(root, 'user'), classNames: NAMES });
});
afterAll(async () => {
  classifier.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('a classifier over a model of any input shape and class count', () => {
  it("reads the input shape and class count from the model; names classes 'class 0'… unless told", async () => {
    expect(classifier.inputShape).toEqual({ height: SIZE, width: SIZE, channels: CHANNELS });
    expect(classifier.classNames).toEqual(NAMES);
    const unnamed = await loadClassifier({ model: join(root, 'user') });
    expect(unnamed.classNames).toEqual(['class 0', 'class 1', 'class 2']);
    unnamed.dispose();
  });

  it('names the classes as the model was saved (userDefinedMetadata.classNames) unless told otherwise', async () => {
    const model = createUserModel();
    model.setUserDefinedMetadata({ classNames: ['red', 'green', 'blue'] });
    await model.save(directorySaveHandler(join(root, 'named')));
    model.dispose();
    const named = await loadClassifier({ model: join(root, 'named') });
    expect(named.classNames).toEqual(['red', 'green', 'blue']);
    named.dispose();
    const told = await loadClassifier({ model: join(root, 'named'), classNames: NAMES });
    expect(told.classNames).toEqual(NAMES);
    told.dispose();
  });

  it("keeps Fashion-MNIST's names for a 28x28 grey model with ten outputs, with or without a channel axis", () => {
    // Keras's MNIST tutorial starts with Flatten(input_shape=(28, 28)): no channel axis.
    const model = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [28, 28] }), tfl.layers.dense({ units: 10 })],
    });
    const fashion = new Classifier(model);
    expect(fashion.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(fashion.inputShape).toEqual({ height: 28, width: 28, channels: 1 });
    expect(fashion.predict([new Uint8Array(784), new Uint8Array(784)]).probabilities).toHaveLength(20);
    expect(fashion.predict(new Uint8Array(784), { tta: 'flip-shift' }).probabilities).toHaveLength(10);
    fashion.dispose();
  });

  it('refuses a model that does not take images of a fixed size or gives more than one score per class', () => {
    const flat = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [784], units: 10 })] });
    expect(() => new Classifier(flat)).toThrow(
      "Classifier: model's input must be images of a fixed size, [null, height, width, channels] or [null, height, width], got [null,784]",
    );
    const input = tfl.input({ shape: [8, 8, 1] });
    const twoOutputs = tfl.model({
      inputs: input,
      outputs: [tfl.layers.flatten().apply(input) as tfl.SymbolicTensor, input],
    });
    expect(() => new Classifier(twoOutputs)).toThrow(
      'Classifier: model must have one input and one output, got 1 and 2',
    );
    const perPixel = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [8, 8, 1], units: 2 })] });
    expect(() => new Classifier(perPixel)).toThrow(
      "Classifier: model's output must be one score per class, [null, classes], got [null,8,8,2]",
    );
    flat.dispose();
    perPixel.dispose();
  });

  it('refuses class names whose count differs from the outputs, naming both', async () => {
    const load = loadClassifier({ model: join(root, 'user'), classNames: FASHION_MNIST_CLASSES });
    await expect(load).rejects.toThrow(ClassifierError);
    await expect(loadClassifier({ model: join(root, 'user'), classNames: ['a', 'b'] })).rejects.toThrow(
      'classNames has 2 names, but the model has 3 outputs',
    );
  });

  it('classifies held-out images of every accepted form, as trained', () => {
    const before = tf.memory().numTensors;
    const fromBytes = classifier.classify(test.bytes, { topK: 1, batch: true });
    expect(accuracy(fromBytes, test.labels)).toBeGreaterThanOrEqual(0.9);
    expect(fromBytes[0]![0]!.className).toBe(NAMES[fromBytes[0]![0]!.classIndex]);
    const { probabilities, count } = classifier.predict(testFloats);
    expect(count).toBe(30);
    expect(probabilities).toHaveLength(30 * 3);
    const batch = tf.tensor4d(testFloats, [30, SIZE, SIZE, CHANNELS]);
    const fromTensor = classifier.predict(batch).probabilities;
    batch.dispose();
    fromTensor.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
    const one = tf.tensor3d(testFloats.subarray(0, PIXELS), [SIZE, SIZE, CHANNELS]);
    const single = classifier.classify(one);
    one.dispose();
    expect(single.map((p) => p.probability)).toEqual(
      Array.from(probabilities.subarray(0, 3)).sort((a, b) => b - a),
    );
    const images = Array.from({ length: 30 }, (_, i) => test.bytes.subarray(i * PIXELS, (i + 1) * PIXELS));
    expect(classifier.classify(images, { topK: 1 })).toEqual(fromBytes);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resizes a RawImage of another size, in colour', () => {
    const big = colourImages(6, 3, 64, 48);
    const raws = big.labels.map((_, i) => ({
      data: big.bytes.subarray(i * 64 * 48 * 3, (i + 1) * 64 * 48 * 3),
      width: 64,
      height: 48,
      channels: 3 as const,
    }));
    const rows = classifier.classify(raws, { topK: 1 });
    expect(accuracy(rows, big.labels)).toBe(1);
    expect(toModelInput(raws[0]!, classifier.inputShape)).toHaveLength(PIXELS);
    const grey = { data: new Uint8Array([0, 255]), width: 2, height: 1, channels: 1 as const };
    expect(Array.from(toModelInput(grey, { height: 1, width: 2, channels: 3 }))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(() => toModelInput(grey, { height: 1, width: 2, channels: 4 })).toThrow(
      'a picture converts to 1 (grey) or 3 (RGB) channels, but the model takes 4',
    );
  });

  it('averages each image with its mirror and its shifts (tta) in colour', () => {
    const flat = classifier.predict(testFloats).probabilities;
    const mirrored = new Float32Array(testFloats.length);
    for (let i = 0; i < 30; i++)
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++)
          for (let c = 0; c < CHANNELS; c++)
            mirrored[((i * SIZE + y) * SIZE + x) * CHANNELS + c] =
              testFloats[((i * SIZE + y) * SIZE + (SIZE - 1 - x)) * CHANNELS + c]!;
    const flipped = classifier.predict(mirrored).probabilities;
    const withFlip = classifier.predict(testFloats, { tta: 'flip' }).probabilities;
    withFlip.forEach((p, i) => expect(p).toBeCloseTo((flat[i]! + flipped[i]!) / 2, 5));
    const withShifts = classifier.classify(testFloats, { topK: 1, tta: 'flip-shift', batch: true });
    expect(accuracy(withShifts, test.labels)).toBeGreaterThanOrEqual(0.9);
  });

  it('embeds images as the features its Dense head turns into probabilities', () => {
    const { embeddings, count, size } = classifier.embed(testFloats.subarray(0, 3 * PIXELS));
    expect([count, size]).toEqual([3, 8]); // the 8 pooled channels, the dropout before the head skipped
    const head = classifier.model.layers.at(-1)!;
    const [kernel, bias] = head.getWeights();
    const fromFeatures = tf.tidy(() =>
      tf.softmax(tf.add(tf.matMul(tf.tensor2d(embeddings, [3, 8]), kernel!), bias!)).dataSync(),
    );
    const { probabilities } = classifier.predict(testFloats.subarray(0, 3 * PIXELS));
    fromFeatures.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
  });

  it('embeds with the layer before the head when the softmax is a layer of its own', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.flatten({ inputShape: [4, 4, 3] }),
        tfl.layers.dense({ units: 5, activation: 'relu' }),
        tfl.layers.dense({ units: 2 }),
        tfl.layers.activation({ activation: 'softmax' }),
      ],
    });
    const small = new Classifier(model, ['no', 'yes']);
    expect(small.embed(new Float32Array(2 * 48).fill(0.5)).size).toBe(5);
    small.dispose();
  });

  it.each([
    [new Uint8Array(784), 'predict: a typed array must hold 32x32x3 = 3072 values per image, got 784 values'],
    [tf.zeros([28, 28, 1]), 'predict: a tensor must be [32,32,3] or [n,32,32,3], got [28,28,1]'],
    [tf.zeros([2, 32, 32, 1]), 'predict: a tensor must be [32,32,3] or [n,32,32,3], got [2,32,32,1]'],
  ])('refuses an image of another shape, naming the shape the model takes %#', (input, message) => {
    expect(() => classifier.predict(input)).toThrow(ClassifierError);
    expect(() => classifier.predict(input)).toThrow(message);
  });

  it('decodes PNG and JPEG files of another size, resized and in colour', () => {
    const big = colourImages(3, 4, 50, 40);
    const raw = (i: number) => ({
      data: big.bytes.subarray(i * 50 * 40 * 3, (i + 1) * 50 * 40 * 3),
      width: 50,
      height: 40,
    });
    const pngs = big.labels.map((_, i) => encodePng({ ...raw(i), channels: 3, depth: 8 }));
    const fromPng = classifier.predict(pngs[0]!).probabilities;
    const expected = classifier.predict({ ...raw(0), channels: 3 }).probabilities;
    expect(Array.from(fromPng)).toEqual(Array.from(expected));
    const jpegs = big.labels.map((_, i) => {
      const rgba = new Uint8Array(50 * 40 * 4).fill(255);
      raw(i).data.forEach((v, j) => {
        rgba[Math.floor(j / 3) * 4 + (j % 3)] = v;
      });
      return encodeJpeg({ data: rgba, width: 50, height: 40 }, 95).data;
    });
    expect(accuracy(classifier.classify(pngs, { topK: 1 }), big.labels)).toBe(1);
    expect(accuracy(classifier.classify(jpegs, { topK: 1 }), big.labels)).toBe(1);
  });

  it('throws a ClassifierError on every call once disposed', async () => {
    const disposed = await loadClassifier({ model: join(root, 'user'), classNames: NAMES });
    disposed.dispose();
    for (const method of ['classify', 'predict', 'embed'] as const)
      expect(() => disposed[method](testFloats)).toThrow(`${method}: the classifier was disposed`);
  });
});

import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES } from '@fmnist/dataset';
import { directorySaveHandler } from '@fmnist/io/node';
import * as tf from '@tensorflow/tfjs-core';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { Prediction } from './classifier.js';
import { createCnnMlpModel } from './cnn-mlp-model.js';
import { ClassifierError } from './errors.js';
import { FASHION_MNIST_CLASSES } from './fashion-mnist.js';
import { loadClassifier, type NodeClassifier } from './node/load.js';
import { toModelInput } from './preprocess.js';
import { createVggModel } from './vgg-model.js';

let root: string;
let classifier: NodeClassifier;
const image = Uint8Array.from({ length: 784 }, (_, i) => ((i % 28) * 9 + Math.floor(i / 28) * 3) % 256);

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'fmnist-classifier-'));
  const model = createCnnMlpModel({ seed: 4 });
  await model.save(directorySaveHandler(join(root, 'model')));
  model.dispose();
  classifier = await loadClassifier({ model: join(root, 'model') });
});
afterAll(async () => {
  classifier.dispose();
  await rm(root, { recursive: true, force: true });
});

it("names the model's outputs as the dataset names its labels", () => {
  expect(FASHION_MNIST_CLASSES).toEqual(CLASS_NAMES);
});

describe('toModelInput', () => {
  it('area-averages down to 28x28 and keeps a dark background', () => {
    const big = new Uint8Array(56 * 56);
    for (let y = 20; y < 36; y++) for (let x = 20; x < 36; x++) big[y * 56 + x] = 255;
    const out = toModelInput({ data: big, width: 56, height: 56, channels: 1 });
    expect(out[14 * 28 + 14]).toBe(1);
    expect(out[0]).toBe(0);
    expect(out[9 * 28 + 10]).toBe(0);
  });

  it('inverts a photo with a light background, so the garment is light on black', () => {
    const rgb = new Uint8Array(28 * 28 * 3).fill(250);
    for (let y = 10; y < 18; y++)
      for (let x = 10; x < 18; x++) rgb.fill(20, (y * 28 + x) * 3, (y * 28 + x) * 3 + 3);
    const out = toModelInput({ data: rgb, width: 28, height: 28, channels: 3 });
    expect(out[0]).toBeCloseTo(1 - 250 / 255, 5);
    expect(out[14 * 28 + 14]).toBeCloseTo(1 - 20 / 255, 5);
  });

  it('rejects a size that does not match the data', () => {
    expect(() => toModelInput({ data: new Uint8Array(10), width: 4, height: 4, channels: 1 })).toThrow(
      'a 4x4x1 image needs 16 values, got 10',
    );
  });
});

describe('Classifier.classify', () => {
  it('gives the top 3 classes of one image, most probable first', () => {
    const top = classifier.classify(image) as {
      classIndex: number;
      className: string;
      probability: number;
    }[];
    expect(top).toHaveLength(3);
    expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
    const { probabilities } = classifier.predict(image);
    expect(top[0]!.probability).toBe(Math.max(...probabilities));
    expect(top[0]!.className).toBe(classifier.classNames[top[0]!.classIndex]);
  });

  it('embeds images as the 32 hidden features that the output layer turns into its probabilities', () => {
    const three = new Uint8Array(3 * 784).map((_, i) => (i * 7) % 256);
    const { embeddings, count, size } = classifier.embed(three);
    expect([count, size]).toEqual([3, 32]);
    expect(embeddings.every((v) => v >= 0)).toBe(true); // after ReLU
    expect(Array.from(classifier.embed(three.subarray(784, 1568)).embeddings)).toEqual(
      Array.from(embeddings.subarray(32, 64)),
    );
    const before = tf.memory().numTensors;
    const [kernel, bias] = classifier.model.getLayer('output').getWeights();
    const fromFeatures = tf.tidy(() =>
      tf.softmax(tf.add(tf.matMul(tf.tensor2d(embeddings, [3, 32]), kernel!), bias!)).dataSync(),
    );
    const { probabilities } = classifier.predict(three);
    fromFeatures.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
    const inTwos = classifier.embed(three, { batchSize: 2 });
    expect([inTwos.count, inTwos.size]).toEqual([3, 32]);
    inTwos.embeddings.forEach((v, i) => expect(v).toBeCloseTo(embeddings[i]!, 6));
    expect(() => classifier.embed(three, { batchSize: 0 })).toThrow(
      'embed: batchSize must be a positive integer, got 0',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("embeds a VGG model's images as its 128 globally pooled features (the dropout before the output skipped)", async () => {
    const model = createVggModel({ seed: 4 });
    await model.save(directorySaveHandler(join(root, 'vgg')));
    model.dispose();
    const vgg = await loadClassifier({ model: join(root, 'vgg') });
    const three = new Uint8Array(3 * 784).map((_, i) => (i * 7) % 256);
    const { embeddings, size } = vgg.embed(three);
    expect(size).toBe(128);
    const [kernel, bias] = vgg.model.getLayer('output').getWeights();
    const fromFeatures = tf.tidy(() =>
      tf.softmax(tf.add(tf.matMul(tf.tensor2d(embeddings, [3, 128]), kernel!), bias!)).dataSync(),
    );
    const { probabilities } = vgg.predict(three);
    fromFeatures.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
    vgg.dispose();
  });

  it('takes uint8, float, tensors and batches alike, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const fromUint8 = classifier.predict(image).probabilities;
    const fromFloat = classifier.predict(Float32Array.from(image, (v) => v / 255)).probabilities;
    const tensor = tf.tensor3d(
      Float32Array.from(image, (v) => v / 255),
      [28, 28, 1],
    );
    const fromTensor = classifier.predict(tensor).probabilities;
    tensor.dispose();
    expect(Array.from(fromFloat)).toEqual(Array.from(fromUint8));
    expect(Array.from(fromTensor)).toEqual(Array.from(fromUint8));
    const batch = classifier.classify([image, image], { topK: 2 }) as unknown[][];
    expect(batch).toHaveLength(2);
    expect(batch[0]).toHaveLength(2);
    const twoInOne = new Uint8Array(784 * 2);
    twoInOne.set(image);
    twoInOne.set(image, 784);
    expect(classifier.classify(twoInOne)).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs many images batchSize at a time, with and without views, giving what one pass gives', () => {
    const five = Uint8Array.from({ length: 5 * 784 }, (_, i) => (i * 37 + Math.floor(i / 784) * 11) % 256);
    const before = tf.memory().numTensors;
    for (const tta of [undefined, 'flip'] as const) {
      const whole = classifier.predict(five, { tta }).probabilities;
      const inTwos = classifier.predict(five, { tta, batchSize: 2 }).probabilities;
      expect(inTwos).toHaveLength(5 * 10);
      for (let i = 0; i < whole.length; i++) expect(inTwos[i]).toBeCloseTo(whole[i]!, 6);
    }
    expect(classifier.classify(five, { topK: 1, batchSize: 3 })).toHaveLength(5);
    expect(tf.memory().numTensors).toBe(before);
    for (const bad of [0, 1.5, Number.NaN])
      expect(() => classifier.predict(five, { batchSize: bad })).toThrow(
        `predict: batchSize must be a positive integer, got ${bad}`,
      );
  });

  it('gives the model batchSize images per forward pass, not the 32 tfjs-layers would split them into', async () => {
    const forty = Uint8Array.from({ length: 40 * 784 }, (_, i) => (i * 13) % 256);
    const convBatches = async (run: () => void): Promise<number[]> =>
      (await tf.profile(run)).kernels
        .filter((kernel) => kernel.name.includes('Conv2D'))
        .map((kernel) => kernel.inputShapes[0]![0]!);
    expect(new Set(await convBatches(() => classifier.predict(forty, { batchSize: 36 })))).toEqual(
      new Set([36, 4]),
    );
    // 17 images in two views: one pass of 34.
    const seventeen = forty.subarray(0, 17 * 784);
    expect(new Set(await convBatches(() => classifier.predict(seventeen, { tta: 'flip' })))).toEqual(
      new Set([34]),
    );
  });

  it('reads a browser image (ImageData) as the same RGBA RawImage, without leaking tensors', () => {
    // Node has no ImageData: a stand-in that tfjs's fromPixels and our input check take for one.
    class ImageData {
      constructor(
        readonly data: Uint8ClampedArray,
        readonly width: number,
        readonly height: number,
      ) {}
    }
    const g = globalThis as Record<string, unknown>;
    g.ImageData = ImageData;
    try {
      const rgba = new Uint8ClampedArray(56 * 56 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7) % 251));
      const raw = { data: Uint8Array.from(rgba), width: 56, height: 56, channels: 4 as const };
      const before = tf.memory().numTensors;
      const fromImage = classifier.predict(new ImageData(rgba, 56, 56) as never).probabilities;
      expect(tf.memory().numTensors).toBe(before);
      expect(fromImage).toEqual(classifier.predict(raw).probabilities);
    } finally {
      delete g.ImageData;
    }
  });

  it('decodes PNG bytes of any size as the model expects them', () => {
    const big = new Uint8Array(56 * 56);
    for (let y = 0; y < 56; y++)
      for (let x = 0; x < 56; x++) big[y * 56 + x] = image[Math.floor(y / 2) * 28 + Math.floor(x / 2)]!;
    const png = encode({ width: 56, height: 56, data: big, channels: 1, depth: 8 });
    const expected = classifier.predict(
      toModelInput({ data: big, width: 56, height: 56, channels: 1 }),
    ).probabilities;
    expect(Array.from(classifier.predict(png).probabilities)).toEqual(Array.from(expected));
  });

  it.each([
    [new Uint8Array(100), 'a typed array must hold 28x28x1 = 784 values per image, got 100 values'],
    [new Float32Array(784).fill(Number.NaN), 'Float32Array value 0 is NaN'],
    [new Float32Array(784).fill(3), 'Float32Array value 0 is 3, outside [0, 1]'],
    [[], 'classify: empty batch'],
    [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6]), 'classify: unreadable image bytes'],
    [tf.zeros([2, 2]), 'a tensor must be [28,28], [28,28,1] or [n,28,28,1], got [2,2]'],
  ])('rejects bad input %#', (input, message) => {
    expect(() => classifier.classify(input as never)).toThrow(message);
  });

  it.each(['classify', 'predict', 'embed'] as const)('names %s in the errors of its input', (method) => {
    const call =
      (input: unknown, options: object = {}) =>
      () =>
        (classifier[method] as (input: unknown, options: object) => unknown).call(classifier, input, options);
    expect(call(new Uint8Array(100))).toThrow(`${method}: a typed array`);
    expect(call([])).toThrow(`${method}: empty batch`);
    expect(call(new Float32Array(784).fill(3))).toThrow(`${method}: Float32Array value 0 is 3`);
    expect(call(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6]))).toThrow(
      `${method}: unreadable image bytes`,
    );
    expect(call({ width: 1 })).toThrow(`${method}: unsupported input`);
    if (method !== 'embed') expect(call(image, { tta: 'rotate' })).toThrow(`${method}: tta must be`);
  });

  it('rejects a bad topK, a model path without model.json and an unknown shipped model', async () => {
    expect(() => classifier.classify(image, { topK: 11 })).toThrow(
      'classify: topK must be an integer in 1–10, got 11',
    );
    await expect(loadClassifier({ model: root })).rejects.toThrow(`loadClassifier: no model.json in ${root}`);
    await expect(loadClassifier({ weights: 'int4' as never })).rejects.toThrow(
      "loadClassifier: weights must be 'float32' or 'uint8', got 'int4'",
    );
    await expect(loadClassifier({ architecture: 'resnet' as never })).rejects.toThrow(
      "loadClassifier: architecture must be one of vgg, cnn-mlp, got 'resnet'",
    );
  });
});

describe('Classifier.classify result types', () => {
  it('gives one image one list and a batch a list per image, typed so by the input', () => {
    const raw = { data: image, width: 28, height: 28, channels: 1 as const };
    expectTypeOf(classifier.classify(raw)).toEqualTypeOf<Prediction[]>();
    const one = tf.tensor3d(
      Float32Array.from(image, (v) => v / 255),
      [28, 28, 1],
    );
    const four = tf.tensor4d(
      Float32Array.from(image, (v) => v / 255),
      [1, 28, 28, 1],
    );
    expectTypeOf(classifier.classify(one)).toEqualTypeOf<Prediction[]>();
    expectTypeOf(classifier.classify(four)).toEqualTypeOf<Prediction[][]>();
    expectTypeOf(classifier.classify([image, raw], { topK: 1 })).toEqualTypeOf<Prediction[][]>();
    expect(classifier.classify(one)[0]!.className).toBe(classifier.classify(four)[0]![0]!.className);
    tf.dispose([one, four]);
    // A typed array holds one image or several, which only its length tells; `batch` says which.
    expectTypeOf(classifier.classify(image)).toEqualTypeOf<Prediction[] | Prediction[][]>();
    const single = classifier.classify(image, { batch: false });
    expectTypeOf(single).toEqualTypeOf<Prediction[]>();
    expect(single).toEqual(classifier.classify(image));
    const rows = classifier.classify(image, { batch: true, topK: 1 });
    expectTypeOf(rows).toEqualTypeOf<Prediction[][]>();
    expect(rows).toEqual([classifier.classify(image, { topK: 1 })]);
    expect(classifier.classify([image], { batch: false })).toEqual(single);
    const two = new Uint8Array(2 * 784);
    expect(() => classifier.classify(two, { batch: false })).toThrow(
      'classify: batch is false, so the input must be one image, got 2',
    );
    expect(() => classifier.classify(image, { batch: 'yes' as never })).toThrow(
      'classify: batch must be true, false or undefined, got "yes"',
    );
  });
});

describe('Classifier.dispose', () => {
  it('frees the weights, then makes every call throw a ClassifierError naming the call; may be called twice', async () => {
    const before = tf.memory().numTensors;
    const disposed = await loadClassifier({ model: join(root, 'model') });
    disposed.embed(image); // builds the features model, which shares the weights
    disposed.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const method of ['classify', 'predict', 'embed'] as const) {
      const call = () => disposed[method](image);
      expect(call).toThrow(ClassifierError);
      expect(call).toThrow(`${method}: the classifier was disposed`);
    }
    expect(() => disposed.dispose()).not.toThrow();
  });

  it('notices a model disposed behind its back', async () => {
    const disposed = await loadClassifier({ model: join(root, 'model') });
    disposed.model.dispose();
    expect(() => disposed.predict(image)).toThrow('predict: the classifier was disposed');
  });
});

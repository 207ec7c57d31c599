import { existsSync } from 'node:fs';
import { useBestBackend } from '@fmnist/backend';
import { loadFashionMnist } from '@fmnist/dataset/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Classifier } from './classifier.js';
import { ClassifierError } from './errors.js';
import { loadClassifier } from './node/load.js';
import { createVggModel } from './vgg-model.js';

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
if (!hasData)
  console.warn('SKIPPED the folded shipped-weights tests: Fashion-MNIST not installed (CI installs it)');

const IMAGES = 200;
let images: Uint8Array = new Uint8Array();

beforeAll(async () => {
  await useBestBackend('wasm', { log: null });
  if (hasData) images = (await loadFashionMnist({ download: false })).test.images.slice(0, IMAGES * 784);
});

/**
 * The largest difference between `actual` and `expected`, relative to the largest magnitude in the same
 * row of `width` values (an image's top probability): float32 rounding of logits near 10 moves a 0.005
 * probability by ~1e-5 of itself whichever way the ops are grouped, so relative to each value alone
 * would measure that noise.
 */
function worstRelative(actual: Float32Array, expected: Float32Array, width = 10): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let row = 0; row < expected.length; row += width) {
    const scale = Math.max(...expected.subarray(row, row + width).map(Math.abs));
    for (let i = row; i < row + width; i++)
      worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  return worst;
}

/** Each row's index of its largest value. */
const top1 = (rows: Float32Array, width = 10) =>
  Array.from({ length: rows.length / width }, (_, r) => {
    const row = rows.subarray(r * width, (r + 1) * width);
    return row.indexOf(Math.max(...row));
  });

/** How many times each kernel ran during `run`. */
async function kernelCounts(run: () => void): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { name } of (await tf.profile(run)).kernels) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

describe.each(['float32', 'uint8'] as const)('the shipped vgg %s weights, folded', (weights) => {
  it.skipIf(!hasData)(
    'give the unfolded probabilities within 1e-5 relative, with no BatchNorm or Relu op left, without leaking',
    async () => {
      const before = tf.memory().numTensors;
      const folded = await loadClassifier({ weights });
      const plain = await loadClassifier({ weights, foldBatchNorm: false });
      const original = folded.model.weights.map((w) => w.read().dataSync().slice());

      const expected = plain.predict(images).probabilities;
      const actual = folded.predict(images).probabilities;
      expect(worstRelative(actual, expected)).toBeLessThan(1e-5);
      expect(top1(actual)).toEqual(top1(expected));
      // A single image takes the same path as a batch.
      expect(
        worstRelative(folded.predict(images.subarray(0, 784)).probabilities, expected.subarray(0, 10)),
      ).toBeLessThan(1e-5);
      const embedded = folded.embed(images.subarray(0, 10 * 784)).embeddings;
      const plainEmbedded = plain.embed(images.subarray(0, 10 * 784)).embeddings;
      expect(worstRelative(embedded, plainEmbedded, plainEmbedded.length / 10)).toBeLessThan(1e-5);

      const one = images.subarray(0, 784);
      const foldedOps = await kernelCounts(() => folded.predict(one));
      const plainOps = await kernelCounts(() => plain.predict(one));
      expect(plainOps.get('FusedBatchNorm')).toBe(6);
      expect(foldedOps.get('FusedBatchNorm')).toBeUndefined();
      expect(foldedOps.get('Relu')).toBeUndefined();
      expect(foldedOps.get('FusedConv2D')).toBe(6);

      // The model the user holds keeps its layers and weights.
      expect(folded.model.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(6);
      expect(folded.model.weights.map((w) => w.read().dataSync())).toEqual(original);

      const steady = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) folded.predict(one);
      folded.classify(images.subarray(0, 5 * 784));
      expect(tf.memory().numTensors).toBe(steady);
      folded.dispose();
      plain.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
    60_000,
  );
});

describe('a classifier over a model that changes', () => {
  it("runs the model's new weights after setWeights (or a training step), not a stale folded copy", () => {
    const model = createVggModel({ filters: [4, 4, 4, 4, 4, 4], seed: 3 });
    const classifier = new Classifier(model);
    const image = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 256) / 255);
    const direct = () =>
      tf.tidy(
        () => (model.predict(tf.tensor(image, [1, 28, 28, 1])) as tf.Tensor).dataSync() as Float32Array,
      );
    expect(worstRelative(classifier.predict(image).probabilities, direct())).toBeLessThan(1e-5);

    // Moving statistics far from the fresh 0 and 1, as training leaves them.
    const bn = model.getLayer('block1_conv1_bn');
    const statistics = bn.getWeights().map((w, i) => tf.fill(w.shape, [1.5, -0.3, 0.4, 2.5][i]!));
    bn.setWeights(statistics);
    tf.dispose(statistics);
    const changed = direct();
    expect(worstRelative(classifier.predict(image).probabilities, changed)).toBeLessThan(1e-5);

    const tensors = tf.memory().numTensors;
    classifier.predict(image);
    expect(tf.memory().numTensors).toBe(tensors);
    classifier.dispose();
  });

  it('refuses a foldBatchNorm that is not a boolean, naming the option', () => {
    const model = createVggModel({ filters: [4, 4, 4, 4, 4, 4] });
    expect(() => new Classifier(model, undefined, { foldBatchNorm: 'no' as unknown as boolean })).toThrow(
      new ClassifierError('Classifier: foldBatchNorm must be true, false or undefined, got "no"'),
    );
    model.dispose();
  });
});

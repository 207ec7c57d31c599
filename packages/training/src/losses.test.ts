import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { correctPredictions, lossFunction, resolveLoss } from './losses.js';
import { DataParallelTrainer, fitDataParallel } from './node.js';
import { randomArray, tf } from './testing/tf.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Tensor) => t.dataSync()[0]!;

describe('losses', () => {
  it('agree across categorical, sparse and logits forms, and with the formula', () => {
    const logits = tf.tensor2d([
      [2, -1, 0.5],
      [0.1, 0.2, 3],
    ]);
    const probabilities = tf.softmax(logits);
    const indices = tf.tensor1d([0, 1]);
    const oneHot = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const categorical = value(lossFunction({ type: 'categoricalCrossentropy' })(oneHot, probabilities));
    const manual =
      -(Math.log(probabilities.arraySync()[0]![0]!) + Math.log(probabilities.arraySync()[1]![1]!)) / 2;
    expect(categorical).toBeCloseTo(manual, 5);
    expect(
      value(lossFunction({ type: 'sparseCategoricalCrossentropy' })(indices, probabilities)),
    ).toBeCloseTo(categorical, 5);
    expect(
      value(lossFunction({ type: 'categoricalCrossentropy', fromLogits: true })(oneHot, logits)),
    ).toBeCloseTo(categorical, 5);
    expect(correctPredictions({ type: 'sparseCategoricalCrossentropy' }, indices, probabilities)).toBe(1);
    expect(correctPredictions({ type: 'categoricalCrossentropy' }, oneHot, probabilities)).toBe(1);
  });

  it('computes binary cross-entropy from probabilities or logits, with Keras label smoothing', () => {
    const z = tf.tensor2d([[1.5], [-0.5], [0.2]]);
    const y = tf.tensor2d([[1], [0], [0]]);
    const p = tf.sigmoid(z).dataSync();
    const manual = -(Math.log(p[0]!) + Math.log(1 - p[1]!) + Math.log(1 - p[2]!)) / 3;
    expect(value(lossFunction({ type: 'binaryCrossentropy' })(y, tf.sigmoid(z)))).toBeCloseTo(manual, 5);
    expect(value(lossFunction({ type: 'binaryCrossentropy', fromLogits: true })(y, z))).toBeCloseTo(
      manual,
      5,
    );
    // Keras: y * (1 - s) + s / 2.
    const smoothed = value(
      lossFunction({ type: 'binaryCrossentropy', labelSmoothing: 0.2 })(y, tf.sigmoid(z)),
    );
    const t = [0.9, 0.1, 0.1];
    const manualSmoothed =
      -t.reduce((sum, ti, i) => sum + ti * Math.log(p[i]!) + (1 - ti) * Math.log(1 - p[i]!), 0) / 3;
    expect(smoothed).toBeCloseTo(manualSmoothed, 5);
    expect(correctPredictions({ type: 'binaryCrossentropy' }, y, tf.sigmoid(z))).toBe(2);
    expect(correctPredictions({ type: 'binaryCrossentropy', fromLogits: true }, y, z)).toBe(2);
  });

  it('refuses what it cannot compute, by name', () => {
    expect(() => lossFunction({ type: 'hinge' as never })).toThrow(
      "unknown loss type 'hinge'; expected one of categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy",
    );
    expect(() => lossFunction({ type: 'sparseCategoricalCrossentropy', labelSmoothing: 0.1 })).toThrow(
      'labelSmoothing does not apply to sparseCategoricalCrossentropy',
    );
  });
});

function model(
  activation: string,
  units: number,
  loss?: string | ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor),
) {
  const m = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [4],
        units,
        activation: activation as 'linear',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
    ],
  });
  if (loss) m.compile({ optimizer: tf.train.adam(0.1), loss: loss as string });
  return m;
}

describe('resolveLoss', () => {
  it("uses the model's compiled loss", () => {
    expect(resolveLoss(model('softmax', 3, 'categoricalCrossentropy'))).toEqual({
      type: 'categoricalCrossentropy',
    });
    expect(resolveLoss(model('softmax', 3, 'sparseCategoricalCrossentropy'))).toEqual({
      type: 'sparseCategoricalCrossentropy',
    });
    expect(resolveLoss(model('sigmoid', 1, 'binaryCrossentropy'))).toEqual({ type: 'binaryCrossentropy' });
  });

  it('refuses contradictions, losses it cannot rebuild, and logits/probability mismatches', () => {
    expect(() =>
      resolveLoss(model('softmax', 3, 'categoricalCrossentropy'), { type: 'binaryCrossentropy' }),
    ).toThrow(
      "options.loss 'binaryCrossentropy' contradicts the model's compiled loss 'categoricalCrossentropy'",
    );
    expect(() => resolveLoss(model('softmax', 3, (a, b) => tf.sub(a, b)))).toThrow(
      'the model has a loss function (functions cannot cross to worker threads)',
    );
    expect(() => resolveLoss(model('softmax', 3, 'meanSquaredError'))).toThrow(
      'the model has the loss "meanSquaredError"',
    );
    expect(() => resolveLoss(model('linear', 3, 'categoricalCrossentropy'))).toThrow(
      "the model's last layer outputs raw scores (activation linear) but categoricalCrossentropy expects softmax probabilities",
    );
    expect(
      resolveLoss(model('linear', 3, 'categoricalCrossentropy'), {
        type: 'categoricalCrossentropy',
        fromLogits: true,
      }),
    ).toEqual({ type: 'categoricalCrossentropy', fromLogits: true });
    expect(() =>
      resolveLoss(model('sigmoid', 1, 'binaryCrossentropy'), {
        type: 'binaryCrossentropy',
        fromLogits: true,
      }),
    ).toThrow("fromLogits is set but the model's last layer applies sigmoid");
  });
});

describe('DataParallelTrainer with other losses', () => {
  // Points on either side of a plane: a task a single dense layer learns.
  const n = 64;
  const x = randomArray(n * 4, 21);
  const side = Array.from({ length: n }, (_, i) => (x[i * 4]! + x[i * 4 + 1]! > 0 ? 1 : 0));

  it.each([
    ['binaryCrossentropy', 'sigmoid', 1, Float32Array.from(side)],
    ['sparseCategoricalCrossentropy', 'softmax', 2, Float32Array.from(side)],
  ] as const)(
    'trains with %s on two threads and reports val_loss and val_acc',
    async (loss, activation, units, y) => {
      await tf.setBackend('wasm');
      const m = model(activation, units, loss);
      const trainer = await DataParallelTrainer.create(m, { workers: 2 });
      try {
        const yShape = loss === 'binaryCrossentropy' ? [n, 1] : [n];
        const result = await fitDataParallel(trainer, {
          epochs: 30,
          batches: () => [{ x, xShape: [n, 4], y, yShape }],
          validationData: { x, xShape: [n, 4], y, yShape },
        });
        const losses = result.history.loss!;
        expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
        expect(result.history.val_acc!.at(-1)!).toBeGreaterThan(0.9);
        expect(result.history.val_loss!.length).toBe(30);
      } finally {
        await trainer.dispose();
        m.dispose();
      }
    },
  );
});

import { beforeAll, describe, expect, it } from 'vitest';
import { getLearningRate } from './learning-rate.js';
import { reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { drive, tf, tinyModel } from './testing/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Expected rates follow Keras's on_epoch_end (keras/callbacks.py ReduceLROnPlateau): improvement means
// current < best - min_delta; in cooldown the counter drops and wait resets without counting; a reduction
// happens when wait reaches patience and lr > min_lr, then cooldown restarts.
describe('reduceLROnPlateau', () => {
  it('reduces after patience epochs, honours cooldown and stops at minLR', async () => {
    const model = tinyModel(tf.train.sgd(1));
    const losses = [
      1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85,
    ];
    const callback = reduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLR: 0.1 });
    const rates = await drive(callback, model, 'val_loss', losses, () => getLearningRate(model.optimizer));
    expect(rates).toEqual([
      1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.1, 0.1, 0.1, 0.1,
    ]);
  });

  it("treats a change smaller than minDelta as no improvement, and 'auto' maximizes accuracy", async () => {
    const model = tinyModel(tf.train.sgd(1));
    const accuracies = [0.5, 0.50005, 0.6, 0.6, 0.6];
    const rates = await drive(
      reduceLROnPlateau({ monitor: 'val_acc', patience: 1 }),
      model,
      'val_acc',
      accuracies,
      () => getLearningRate(model.optimizer),
    );
    expect(rates.map((r) => Number(r.toPrecision(6)))).toEqual([1, 0.1, 0.1, 0.01, 0.001]);
  });

  it('rejects a factor of 1 or more', () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(
      'reduceLROnPlateau: factor must be in [0, 1), got 1',
    );
  });

  it('changes the learning rate of a real model.fit', async () => {
    const model = tinyModel(tf.train.adam(0.01));
    const xs = tf.ones([8, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
    // Monitoring the training loss with patience 0 and an impossible minDelta: a reduction every epoch.
    await model.fit(xs, ys, {
      epochs: 3,
      verbose: 0,
      callbacks: [reduceLROnPlateau({ monitor: 'loss', patience: 0, minDelta: 100, factor: 0.5 })],
    });
    // Epoch 1 improves on +Infinity; epochs 2 and 3 each halve the rate.
    expect(getLearningRate(model.optimizer)).toBeCloseTo(0.01 / 4, 10);
    tf.dispose([xs, ys]);
  });
});

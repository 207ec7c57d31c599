import { amsgrad } from '@fmnist/model';
import { beforeAll, describe, expect, it } from 'vitest';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import { cosineDecay, learningRateScheduler, oneCycle } from './schedule-callbacks.js';
import { cosineDecayLR, oneCycleLR } from './schedules.js';
import { tf, tfl, tinyData, tinyModel } from './testing/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('oneCycleLR (PyTorch OneCycleLR, cos, two phases)', () => {
  it('rises from maxLR/25 to maxLR at step pct*total - 1, then falls to initial/1e4', () => {
    const o = { maxLR: 1, totalSteps: 10 };
    // peak at step 0.3*10 - 1 = 2; step 1 is half-way: 1 + (0.04 - 1)/2 * (cos(pi/2) + 1) = 0.52.
    expect(oneCycleLR(0, o)).toBeCloseTo(0.04, 12);
    expect(oneCycleLR(1, o)).toBeCloseTo(0.52, 12);
    expect(oneCycleLR(2, o)).toBeCloseTo(1, 12);
    expect(oneCycleLR(9, o)).toBeCloseTo(0.04 / 1e4, 12);
    // Half-way down (step 5.5 of 2..9) is the mean of max and min.
    expect(oneCycleLR(5.5, o)).toBeCloseTo((1 + 4e-6) / 2, 9);
  });
});

describe('cosineDecayLR (Keras CosineDecay)', () => {
  it('decays to alpha, after an optional linear warmup', () => {
    expect(cosineDecayLR(0, { initialLR: 1, decaySteps: 10 })).toBe(1);
    expect(cosineDecayLR(5, { initialLR: 1, decaySteps: 10 })).toBeCloseTo(0.5, 12);
    expect(cosineDecayLR(20, { initialLR: 1, decaySteps: 10, alpha: 0.1 })).toBeCloseTo(0.1, 12);
    expect(cosineDecayLR(2, { initialLR: 0, decaySteps: 10, warmupSteps: 4, warmupTarget: 1 })).toBeCloseTo(
      0.5,
      12,
    );
    expect(cosineDecayLR(9, { initialLR: 0, decaySteps: 10, warmupSteps: 4, warmupTarget: 1 })).toBeCloseTo(
      0.5,
      12,
    );
  });
});

describe('schedule callbacks in model.fit', () => {
  it('sets the rate per batch across epochs, and per epoch', async () => {
    const { xs, ys } = tinyData();
    const model = tinyModel(tf.train.sgd(1));
    const seen: number[] = [];
    const spy = new (class extends tfl.Callback {
      override async onBatchEnd() {
        seen.push(getLearningRate(model.optimizer));
      }
    })();
    await model.fit(xs, ys, {
      epochs: 2,
      batchSize: 2,
      verbose: 0,
      callbacks: [oneCycle({ maxLR: 1, totalSteps: 4 }), spy],
    });
    expect(seen.map((v) => Number(v.toFixed(6)))).toEqual(
      [0, 1, 2, 3].map((i) => Number(oneCycleLR(i, { maxLR: 1, totalSteps: 4 }).toFixed(6))),
    );
    const epochs: number[] = [];
    const perEpoch = new (class extends tfl.Callback {
      override async onEpochBegin() {
        epochs.push(getLearningRate(model.optimizer));
      }
    })();
    await model.fit(xs, ys, {
      epochs: 3,
      verbose: 0,
      callbacks: [learningRateScheduler((epoch) => 0.1 * (epoch + 1)), perEpoch],
    });
    expect(epochs.map((v) => Number(v.toFixed(6)))).toEqual([0.1, 0.2, 0.3]);
    tf.dispose([xs, ys]);
  });

  it('resumes a per-batch schedule from initialStep', () => {
    const schedule = cosineDecay({ initialLR: 1, decaySteps: 10, initialStep: 5 });
    expect(schedule.step).toBe(5);
  });
});

describe('setLearningRate / getLearningRate', () => {
  const optimizers: [string, () => tf.Optimizer][] = [
    ['sgd', () => tf.train.sgd(0.5)],
    ['momentum', () => tf.train.momentum(0.5, 0.9)],
    ['adagrad', () => tf.train.adagrad(0.5)],
    ['adadelta', () => tf.train.adadelta(0.5)],
    ['adam', () => tf.train.adam(0.5)],
    ['adamax', () => tf.train.adamax(0.5)],
    ['rmsprop', () => tf.train.rmsprop(0.5)],
    ['amsgrad', () => amsgrad({ learningRate: 0.5 })],
  ];
  it.each(optimizers)('reads and changes the rate of %s', (_, make) => {
    const optimizer = make();
    expect(getLearningRate(optimizer)).toBe(0.5);
    setLearningRate(optimizer, 0.125);
    expect(getLearningRate(optimizer)).toBe(0.125);
  });

  it('makes SGD step with the new rate', () => {
    const optimizer = tf.train.sgd(1);
    const v = tf.variable(tf.scalar(1));
    setLearningRate(optimizer, 0.25);
    optimizer.applyGradients({ [v.name]: tf.scalar(2) });
    expect(v.dataSync()[0]).toBeCloseTo(0.5, 6);
    v.dispose();
  });

  it('rejects a negative or non-finite rate', () => {
    expect(() => setLearningRate(tf.train.sgd(1), Number.NaN)).toThrow(
      'setLearningRate: learning rate must be a finite number ≥ 0, got NaN',
    );
  });
});

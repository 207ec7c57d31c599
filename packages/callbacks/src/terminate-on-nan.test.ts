import { describe, expect, it } from 'vitest';
import { CallbackError } from './errors.js';
import { terminateOnNaN } from './terminate-on-nan.js';
import { tf, tfl, tinyData, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

cpuTestsWithTempDir('fmnist-nan-');

/** Puts a NaN into the first kernel at the end of batch `at` of epoch 0, after that batch's loss. */
class PoisonAt extends tfl.Callback {
  private epoch = 0;
  constructor(private readonly at: number) {
    super();
  }
  override async onEpochBegin(epoch: number) {
    this.epoch = epoch;
  }
  override async onBatchEnd(batch: number) {
    if (this.epoch !== 0 || batch !== this.at) return;
    const kernel = this.model.weights[0]!;
    const current = kernel.read();
    const values = current.dataSync().slice();
    values[1] = Number.NaN;
    const poisoned = tf.tensor(values, current.shape);
    kernel.write(poisoned);
    poisoned.dispose();
  }
}

class CountBatches extends tfl.Callback {
  batches = 0;
  override async onBatchEnd() {
    this.batches++;
  }
}

async function fit(callbacks: tfl.Callback[], model = tinyModel(tf.train.sgd(0.1)), xs?: tf.Tensor) {
  const data = tinyData();
  const history = await model.fit(xs ?? data.xs, data.ys, {
    epochs: 3,
    batchSize: 2,
    shuffle: false,
    verbose: 0,
    callbacks,
  });
  tf.dispose([data.xs, data.ys]);
  return { model, epochs: history.epoch.length };
}

describe('terminateOnNaN', () => {
  it('stops at the first batch with a NaN loss', async () => {
    const xs = tf.tensor2d([
      [Number.NaN, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const watch = terminateOnNaN();
    const { epochs } = await fit([watch], tinyModel(tf.train.sgd(0.1)), xs);
    expect(epochs).toBe(1);
    expect(watch.reason).toMatch(/^batch 0: loss NaN$/);
    xs.dispose();
  });

  it('stops at the end of an epoch whose weights turned NaN while its losses stayed finite', async () => {
    const watch = terminateOnNaN();
    const { model, epochs } = await fit([new PoisonAt(1), watch]);
    expect(epochs).toBe(1);
    expect(watch.reason).toBe(`epoch 0: weight ${model.weights[0]!.name} holds NaN`);
  });

  it('checks the weights every N batches with checkWeightsEvery', async () => {
    const count = new CountBatches();
    const watch = terminateOnNaN({ checkWeightsEvery: 1 });
    const { model } = await fit([new PoisonAt(0), watch, count]);
    expect(count.batches).toBe(1);
    expect(watch.reason).toBe(`batch 0: weight ${model.weights[0]!.name} holds NaN`);
  });

  it('lets a healthy run finish, and rejects a bad checkWeightsEvery', async () => {
    const watch = terminateOnNaN({ checkWeightsEvery: 1 });
    expect((await fit([watch])).epochs).toBe(3);
    expect(watch.reason).toBeUndefined();
    expect(() => terminateOnNaN({ checkWeightsEvery: 1.5 })).toThrow(CallbackError);
    expect(() => terminateOnNaN({ checkWeightsEvery: -1 })).toThrow(
      'terminateOnNaN: checkWeightsEvery must be an integer ≥ 0, got -1',
    );
  });
});

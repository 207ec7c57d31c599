import { describe, expect, it } from 'vitest';
import { tf, tfl, tinyData, tinyModel } from './testing/index.js';
import { weightsEMA } from './weights-ema.js';

/** Records the model's weights after every batch (runs after the optimizer step, as the EMA does). */
class Recorder extends tfl.Callback {
  readonly seen: number[][][] = [];
  override async onBatchEnd() {
    this.seen.push(this.model.getWeights().map((w) => Array.from(w.dataSync())));
  }
}

const values = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

describe('weightsEMA', () => {
  it('averages the weights after every batch and puts the average in the model at the end', async () => {
    await tf.setBackend('cpu');
    const model = tinyModel(tf.train.sgd(0.5));
    const { xs, ys } = tinyData();
    const initial = values(model.getWeights());
    const recorder = new Recorder();
    const tensors = tf.memory().numTensors;
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 2,
      verbose: 0,
      callbacks: [recorder, weightsEMA({ decay: 0.9 })],
    });
    expect(tf.memory().numTensors).toBe(tensors);
    // Expected: the warm-up decay min(0.9, (1 + t) / (10 + t)) applied to the recorded weights.
    let expected = initial;
    recorder.seen.forEach((w, index) => {
      const t = index + 1;
      const d = Math.min(0.9, (1 + t) / (10 + t));
      expected = expected.map((a, i) => a.map((v, k) => d * v + (1 - d) * w[i]![k]!));
    });
    const got = values(model.getWeights());
    got.forEach((w, i) => w.forEach((v, k) => expect(v).toBeCloseTo(expected[i]![k]!, 5)));
    // And it differs from the last weights trained: the check above can fail.
    expect(got).not.toEqual(recorder.seen.at(-1));
    tf.dispose([xs, ys]);
  });

  it('swaps the average in and out', async () => {
    const model = tinyModel(tf.train.sgd(0.5));
    const { xs, ys } = tinyData();
    const ema = weightsEMA({ decay: 0.5, warmup: false, applyOnTrainEnd: false });
    const swapped: number[][][] = [];
    const probe = new (class extends tfl.Callback {
      override async onEpochEnd() {
        const trained = values(model.getWeights());
        ema.swap();
        swapped.push(values(model.getWeights()));
        ema.swap();
        expect(values(model.getWeights())).toEqual(trained);
      }
    })();
    const tensors = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [ema, probe] });
    expect(swapped[0]).not.toEqual(swapped[1]);
    // Kept after training (applyOnTrainEnd false) until disposed.
    const copies = ema.getWeights();
    expect(copies).toHaveLength(4);
    tf.dispose(copies);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([xs, ys]);
  });

  it('carried through a checkpoint (weights and update count), resumes as if unbroken', async () => {
    const { xs, ys } = tinyData();
    const straight = tinyModel(tf.train.sgd(0.5));
    await straight.fit(xs, ys, {
      epochs: 4,
      batchSize: 4,
      verbose: 0,
      callbacks: [weightsEMA({ decay: 0.8 })],
    });

    const first = tinyModel(tf.train.sgd(0.5));
    const before = weightsEMA({ decay: 0.8, applyOnTrainEnd: false });
    await first.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [before] });
    const saved = before.getWeights()!;
    before.dispose();
    const after = weightsEMA({ decay: 0.8 });
    after.setState(JSON.parse(JSON.stringify(before.getState())));
    after.setWeights(saved);
    tf.dispose(saved);
    await first.fit(xs, ys, { epochs: 4, initialEpoch: 2, batchSize: 4, verbose: 0, callbacks: [after] });
    const a = values(straight.getWeights());
    const b = values(first.getWeights());
    a.forEach((w, i) => w.forEach((v, k) => expect(b[i]![k]).toBeCloseTo(v, 5)));
    tf.dispose([xs, ys]);
  });

  it('rejects a decay outside [0, 1) and a restored average of the wrong shapes', async () => {
    expect(() => weightsEMA({ decay: 1 })).toThrow('weightsEMA: decay must be in [0, 1), got 1');
    const model = tinyModel();
    const { xs, ys } = tinyData();
    const ema = weightsEMA();
    ema.setWeights([tf.zeros([2])]);
    await expect(model.fit(xs, ys, { epochs: 1, verbose: 0, callbacks: [ema] })).rejects.toThrow(
      /the restored average has 1 tensors of other shapes than the model's 4/,
    );
    tf.dispose([xs, ys]);
  });
});

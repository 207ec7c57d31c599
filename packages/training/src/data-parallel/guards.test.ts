import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainingError } from '../errors.js';
import { randomArray, tf } from '../testing/tf.js';
import { fitDataParallel, type TrainingBatch } from './fit.js';
import { DataParallelTrainer } from './node-trainer.js';

// A tiny conv net on 6x6 images, 3 classes: what a user's model looks like to the guards.
function tinyModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.flatten(),
      tfl.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

const n = 6;
const xShape = [n, 6, 6, 1];
const yShape = [n, 3];
const goodX = () => randomArray(n * 36, 5);
const goodY = () => {
  const labels = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) labels[i * 3 + (i % 3)] = 1;
  return labels;
};
const weightsOf = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

const trainers: DataParallelTrainer[] = [];
afterAll(async () => {
  await Promise.all(trainers.map((t) => t.dispose()));
});

async function trainer(workers: number, options: Parameters<typeof DataParallelTrainer.create>[1] = {}) {
  await tf.setBackend('wasm');
  const made = await DataParallelTrainer.create(tinyModel(), {
    workers,
    loss: { type: 'categoricalCrossentropy' },
    ...options,
  });
  trainers.push(made);
  return made;
}

describe('a disposed DataParallelTrainer', () => {
  it('rejects step, evaluate and fit at once with a TrainingError, also with a step in flight', async () => {
    const t = await trainer(2);
    const inFlight = expect(t.step(goodX(), xShape, goodY(), yShape)).rejects.toThrow(TrainingError);
    await t.dispose();
    await inFlight;
    await expect(t.step(goodX(), xShape, goodY(), yShape)).rejects.toThrow(
      'DataParallelTrainer.step: the trainer was disposed',
    );
    expect(() => t.evaluate(goodX(), xShape, goodY(), yShape)).toThrow(
      'DataParallelTrainer.evaluate: the trainer was disposed',
    );
    await expect(fitDataParallel(t, { epochs: 1, batches: () => [] })).rejects.toThrow(
      'DataParallelTrainer.fit: the trainer was disposed',
    );
    await t.dispose();
  });
});

describe('DataParallelTrainer with values that are not finite', () => {
  it.each([
    ['x', Number.NaN, 2 * 36 + 7],
    ['y', Number.POSITIVE_INFINITY, 4 * 3 + 1],
  ])(
    'refuses a batch whose %s holds %s, naming the index and sample, and changes nothing',
    async (name, value, index) => {
      const t = await trainer(2);
      const before = weightsOf(t.model);
      const x = goodX();
      const y = goodY();
      (name === 'x' ? x : y)[index] = value;
      const perSample = name === 'x' ? 36 : 3;
      await expect(t.step(x, xShape, y, yShape)).rejects.toThrow(
        `DataParallelTrainer.step: ${name} of the batch of ${n} holds ${value} at index ${index} ` +
          `(sample ${Math.floor(index / perSample)}, element ${index % perSample})`,
      );
      expect(() => t.evaluate(x, xShape, y, yShape)).toThrow(
        `DataParallelTrainer.evaluate: ${name} of the batch`,
      );
      expect(weightsOf(t.model)).toEqual(before);
      expect((await t.step(goodX(), xShape, goodY(), yShape)).skipped).toBe(false);
    },
  );

  // Finite pixels this large, under a finite kernel of ones, overflow the forward pass to Infinity.
  const overflowing = () => new Float32Array(n * 36).fill(3.4e38);
  const withOnesKernel = (t: DataParallelTrainer) => {
    const conv = t.model.layers[0]!;
    const [kernel, bias] = conv.getWeights();
    conv.setWeights([tf.onesLike(kernel!), bias!]);
  };

  it('skips a step whose gradient is not finite, says so, and applies nothing', async () => {
    const said: string[] = [];
    const t = await trainer(2, { onSkippedStep: (message) => said.push(message) });
    await t.step(goodX(), xShape, goodY(), yShape); // the optimizer makes its slots
    withOnesKernel(t);
    const before = weightsOf(t.model);
    const tensors = tf.memory().numTensors;
    const result = await t.step(overflowing(), xShape, goodY(), yShape);
    expect(result.skipped).toBe(true);
    expect(weightsOf(t.model)).toEqual(before);
    expect(weightsOf(t.model).flat().every(Number.isFinite)).toBe(true);
    expect(t.skippedSteps).toBe(1);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /the gradient of \S+ over the batch of 6 is not finite .*step skipped \(1 so far\)/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect((await t.step(goodX(), xShape, goodY(), yShape)).skipped).toBe(false);
    expect(weightsOf(t.model)).not.toEqual(before);
  });

  it("stops at a non-finite gradient with nonFiniteGradients: 'stop'", async () => {
    const t = await trainer(1, { nonFiniteGradients: 'stop' });
    withOnesKernel(t);
    const before = weightsOf(t.model);
    await expect(t.step(overflowing(), xShape, goodY(), yShape)).rejects.toThrow(
      /is not finite .*; the update was not applied/,
    );
    expect(weightsOf(t.model)).toEqual(before);
  });

  it('refuses an unknown nonFiniteGradients', async () => {
    await expect(
      // @ts-expect-error: a value a JavaScript caller could pass
      trainer(1, { nonFiniteGradients: 'ignore' }),
    ).rejects.toThrow("nonFiniteGradients must be 'skip' or 'stop', got ignore");
  });

  it('on one thread, stops after the batch during which a signal handler (a macrotask) asked it to', async () => {
    const t = await trainer(1);
    let stop = false;
    setImmediate(() => {
      stop = true;
    });
    const batches = () => Array.from({ length: 4 }, () => ({ x: goodX(), xShape, y: goodY(), yShape }));
    const result = await fitDataParallel(t, { epochs: 1, batches, shouldStop: () => stop });
    expect(result).toMatchObject({ interrupted: true, stoppedAt: { epoch: 0, batch: 1 } });
  });

  it('names the epoch and batch of a refused batch in fitDataParallel', async () => {
    const t = await trainer(1);
    const bad = goodX();
    bad[40] = Number.NaN;
    const batches = (): TrainingBatch[] => [
      { x: goodX(), xShape, y: goodY(), yShape },
      { x: bad, xShape, y: goodY(), yShape },
    ];
    await expect(fitDataParallel(t, { epochs: 1, batches })).rejects.toThrow(
      'fitDataParallel: epoch 0, batch 1: DataParallelTrainer.step: x of the batch of 6 holds NaN at index 40',
    );
  });
});

describe('fitDataParallel', () => {
  it('makes an epoch without batches an error naming the epoch, before callbacks see its logs', async () => {
    const t = await trainer(1);
    const seen: number[] = [];
    const watcher = new (class extends tfl.Callback {
      override async onEpochEnd(epoch: number) {
        seen.push(epoch);
      }
    })();
    function* once() {
      yield { x: goodX(), xShape, y: goodY(), yShape };
    }
    const exhausted = once();
    await expect(
      fitDataParallel(t, { epochs: 2, batches: () => exhausted, callbacks: [watcher] }),
    ).rejects.toThrow('fitDataParallel: epoch 1 had no batches');
    expect(seen).toEqual([0]);
  });

  it('refuses a second fit on the same trainer while one runs, and allows the next one after', async () => {
    const t = await trainer(1);
    const batches = () => [{ x: goodX(), xShape, y: goodY(), yShape }];
    const first = fitDataParallel(t, { epochs: 2, batches });
    await expect(fitDataParallel(t, { epochs: 1, batches })).rejects.toThrow(
      'fitDataParallel: this trainer is already fitting',
    );
    await first;
    await expect(fitDataParallel(t, { epochs: 1, batches })).resolves.toMatchObject({ epoch: [0] });
  });

  it('refuses a step while another step of the same trainer runs', async () => {
    const t = await trainer(2);
    const first = t.step(goodX(), xShape, goodY(), yShape);
    await expect(t.step(goodX(), xShape, goodY(), yShape)).rejects.toThrow(
      'DataParallelTrainer.step: another step is still running',
    );
    await first;
  });
});

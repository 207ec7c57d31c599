import { existsSync } from 'node:fs';
import { setSimdKernelBuild, simdKernelChoice } from '@fmnist/backend';
import { loadFashionMnist } from '@fmnist/dataset/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { FAILURE_MARKER } from '../testing/failing-layer.js';
import { smallConvModel as smallModel } from '../testing/small-conv-model.js';
import { randomArray, tf } from '../testing/tf.js';
import { fitDataParallel } from './fit.js';
import { DataParallelTrainer } from './node-trainer.js';
import { nodeWorkerTransport } from './node-transport.js';
import { shardSizes } from './trainer.js';
import type { WorkerTransport } from './transport.js';

const batch = 24;
const x = randomArray(batch * 144, 11).map((v) => v + 0.5);
const y = new Float32Array(batch * 10);
for (let i = 0; i < batch; i++) y[i * 10 + (i % 10)] = 1;
const trainers: DataParallelTrainer[] = [];
afterAll(async () => {
  await Promise.all(trainers.map((t) => t.dispose()));
});

async function train(threads: number, steps: number) {
  await tf.setBackend('wasm');
  const model = smallModel(3);
  const trainer = await DataParallelTrainer.create(model, {
    workers: threads,
    loss: { type: 'categoricalCrossentropy' },
  });
  trainers.push(trainer);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++)
    losses.push((await trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10])).loss);
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  return { losses, weights, trainer, model };
}

/** The small net with dropout after its first conv and before its head. */
function withDropout(seed: number) {
  const base = smallModel(seed);
  const layers = base.layers;
  const model = tfl.sequential({
    layers: [
      layers[0]!,
      tfl.layers.dropout({ rate: 0.3 }),
      layers[1]!,
      layers[2]!,
      layers[3]!,
      tfl.layers.dropout({ rate: 0.3 }),
      layers[4]!,
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

async function trainWithDropout(threads: number, seeds: (number | undefined)[]) {
  await tf.setBackend('wasm');
  const model = withDropout(3);
  const trainer = await DataParallelTrainer.create(model, {
    workers: threads,
    loss: { type: 'categoricalCrossentropy' },
  });
  trainers.push(trainer);
  const losses: number[] = [];
  for (const seed of seeds)
    losses.push((await trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10], { seed })).loss);
  return { losses, weights: model.getWeights().map((w) => Array.from(w.dataSync())), model };
}

describe('DataParallelTrainer with dropout', () => {
  it('is reproducible bit for bit with a step seed, for one thread and two', async () => {
    for (const threads of [1, 2]) {
      const a = await trainWithDropout(threads, [1, 2, 3]);
      const b = await trainWithDropout(threads, [1, 2, 3]);
      expect(b.losses).toEqual(a.losses);
      expect(b.weights).toEqual(a.weights);
      const other = await trainWithDropout(threads, [1, 2, 4]);
      expect(other.losses.slice(0, 2)).toEqual(a.losses.slice(0, 2));
      expect(other.losses[2]).not.toBe(a.losses[2]);
    }
  });

  it("leaves the model's dropout layers as they were (nothing seeded in its saved config)", async () => {
    const { model } = await trainWithDropout(1, [7]);
    const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout');
    expect(dropouts.map((l) => l.getConfig().seed)).toEqual([undefined, undefined]);
  });

  it('draws new masks each step without a seed (tfjs dropout as usual)', async () => {
    const a = await trainWithDropout(1, [undefined, undefined]);
    const b = await trainWithDropout(1, [undefined, undefined]);
    expect(b.losses[0]).not.toBe(a.losses[0]);
  });
});

describe('DataParallelTrainer', () => {
  it('splits batches evenly', () => {
    expect(shardSizes(10, 3)).toEqual([4, 3, 3]);
    expect(shardSizes(2, 3)).toEqual([1, 1, 0]);
  });

  it('gives the same losses and weights with two threads as with one', async () => {
    const one = await train(1, 5);
    const two = await train(2, 5);
    expect(two.trainer.threads).toBe(2);
    for (let i = 0; i < 5; i++) expect(two.losses[i]).toBeCloseTo(one.losses[i]!, 4);
    one.weights.forEach((w, i) => {
      const other = two.weights[i]!;
      for (let k = 0; k < w.length; k++) expect(Math.abs(w[k]! - other[k]!)).toBeLessThan(1e-4);
    });
    expect(one.losses[4]).toBeLessThan(one.losses[0]!);
  });

  it('gives the same steps when only workers compute shards (localShard: false, as in browsers)', async () => {
    const local = await train(2, 3);
    await tf.setBackend('wasm');
    const model = smallModel(3);
    const trainer = await DataParallelTrainer.create(model, { workers: 2, localShard: false });
    trainers.push(trainer);
    expect(trainer.info()).toMatchObject({ transport: 'worker_threads', threads: 2, localShard: false });
    expect(trainer.info().workers).toHaveLength(2);
    const losses: number[] = [];
    for (let i = 0; i < 3; i++)
      losses.push((await trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10])).loss);
    losses.forEach((loss, i) => expect(loss).toBeCloseTo(local.losses[i]!, 5));
    // Evaluating on the workers gives what this thread gives, and fit's validation goes there.
    const here = trainer.evaluate(x, [batch, 12, 12, 1], y, [batch, 10], 7);
    const there = await trainer.evaluateInWorkers(x, [batch, 12, 12, 1], y, [batch, 10], 7);
    expect(there.loss).toBeCloseTo(here.loss, 5);
    expect(there.accuracy).toBe(here.accuracy);
    const fitted = await fitDataParallel(trainer, {
      epochs: 1,
      batches: () => [{ x: x.slice(), xShape: [batch, 12, 12, 1], y: y.slice(), yShape: [batch, 10] }],
      validationData: { x, xShape: [batch, 12, 12, 1], y, yShape: [batch, 10] },
    });
    const after = trainer.evaluate(x, [batch, 12, 12, 1], y, [batch, 10]);
    expect(fitted.history.val_loss![0]).toBeCloseTo(after.loss, 5);
    expect(local.trainer.info()).toMatchObject({ threads: 2, localShard: true, kernelBuild: 'relaxed-simd' });
  });

  it('runs a forced build of the conv kernels in every thread, with the same steps', async () => {
    const auto = await train(2, 3);
    await tf.setBackend('wasm');
    const model = smallModel(3);
    try {
      const trainer = await DataParallelTrainer.create(model, { workers: 2, kernelBuild: 'simd128' });
      trainers.push(trainer);
      expect(trainer.kernelBuild).toBe('simd128');
      expect(trainer.info().workers.map((w) => w.kernels?.build)).toEqual(['simd128']);
      expect(simdKernelChoice().build).toBe('simd128');
      for (let i = 0; i < 3; i++) {
        const { loss } = await trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10]);
        expect(loss).toBeCloseTo(auto.losses[i]!, 4);
      }
      await expect(DataParallelTrainer.create(model, { kernelBuild: 'avx' as 'off' })).rejects.toThrow(
        "DataParallelTrainer: kernelBuild must be 'auto', 'relaxed-simd', 'simd128' or 'off', got avx",
      );
    } finally {
      setSimdKernelBuild(auto.trainer.kernelBuild!);
    }
  });

  it('takes a transport of the caller, and stops the workers it started when one fails to start', async () => {
    await tf.setBackend('wasm');
    const base = nodeWorkerTransport();
    const terminated: number[] = [];
    const transport: WorkerTransport = {
      kind: 'counted threads',
      availableThreads: () => 3,
      spawn(index) {
        if (index === 1) throw new Error('no more threads');
        const worker = base.spawn(index);
        return {
          ...worker,
          terminate: () => {
            terminated.push(index);
            return worker.terminate();
          },
        };
      },
    };
    await expect(DataParallelTrainer.create(smallModel(3), { workers: 'auto', transport })).rejects.toThrow(
      'no more threads',
    );
    expect(terminated).toEqual([0]);
    const one = await DataParallelTrainer.create(smallModel(3), { workers: 2, transport });
    trainers.push(one);
    expect(one.info()).toMatchObject({ transport: 'counted threads', threads: 2 });
    expect((await one.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10])).loss).toBeGreaterThan(0);
  });

  it('names a worker thread that exits, in the step it breaks and every later one', async () => {
    await tf.setBackend('wasm');
    const trainer = await DataParallelTrainer.create(smallModel(3), {
      workers: 2,
      setupModules: [new URL('../testing/exit-on-step.ts', import.meta.url).href],
    });
    trainers.push(trainer);
    const expected = 'data-parallel worker 1 of 1 (worker_threads) exited with code 7';
    await expect(trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10])).rejects.toThrow(
      `DataParallelTrainer.step: the batch of ${batch} failed: ${expected}`,
    );
    await expect(trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10])).rejects.toThrow(
      `DataParallelTrainer.step: ${expected}; create a new trainer`,
    );
  });

  it('keeps the tensor count flat across steps', async () => {
    const { trainer } = await train(2, 2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await trainer.step(x.slice(), [batch, 12, 12, 1], y.slice(), [batch, 10]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an uncompiled model and a bad worker count', async () => {
    await expect(
      DataParallelTrainer.create(
        tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] }),
        { loss: { type: 'categoricalCrossentropy' } },
      ),
    ).rejects.toThrow(/compile the model first/);
    await expect(
      DataParallelTrainer.create(smallModel(1), { workers: 0, loss: { type: 'categoricalCrossentropy' } }),
    ).rejects.toThrow(/workers must be a positive integer/);
  });
});

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
describe.skipIf(!hasData)('a short real fit', () => {
  it.each(['wasm', 'cpu'])('lowers the loss on real images on %s', async (backend) => {
    const { train } = await loadFashionMnist({ download: false });
    await tf.setBackend(backend);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 8,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
    const n = 300;
    const xs = tf.tensor4d(
      Float32Array.from(train.images.subarray(0, n * 784), (v) => v / 255),
      [n, 28, 28, 1],
    );
    const ys = tf.oneHot(tf.tensor1d(Int32Array.from(train.labels.subarray(0, n)), 'int32'), 10);
    const history = await model.fit(xs, ys, { epochs: 4, batchSize: 50, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[3]).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('DataParallelTrainer with bad input', () => {
  const failingModule = new URL('../testing/failing-layer.ts', import.meta.url).href;

  async function failureTrainer() {
    await tf.setBackend('wasm');
    const { FailOnMarker } = await import(failingModule);
    const model = tfl.sequential({
      layers: [
        new FailOnMarker({ inputShape: [4, 4, 1] }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const trainer = await DataParallelTrainer.create(model, {
      workers: 2,
      loss: { type: 'categoricalCrossentropy' },
      setupModules: [failingModule],
    });
    trainers.push(trainer);
    return trainer;
  }

  const goodX = () => randomArray(8 * 16, 3);
  const goodY = () => {
    const labels = new Float32Array(8 * 3);
    for (let i = 0; i < 8; i++) labels[i * 3 + (i % 3)] = 1;
    return labels;
  };

  it('rejects badly shaped batches before any work, naming the batch, the argument and both shapes', async () => {
    const trainer = await failureTrainer();
    await expect(trainer.step(goodX(), [8, 4, 4, 1], new Float32Array(8 * 4), [8, 4])).rejects.toThrow(
      'DataParallelTrainer.step: y of the batch of 8 has shape [8,4]; the model outputs [n,3]',
    );
    await expect(trainer.step(goodX(), [8, 4, 4, 1], new Float32Array(8), [8, 1])).rejects.toThrow(
      /y of the batch of 8 has shape \[8,1\]: class indices \(sparse labels\) need loss 'sparseCategoricalCrossentropy'; categoricalCrossentropy takes one-hot labels of shape \[8,3\]/,
    );
    await expect(trainer.step(randomArray(8 * 25, 1), [8, 5, 5, 1], goodY(), [8, 3])).rejects.toThrow(
      'x of the batch of 8 has shape [8,5,5,1]; the model takes [n,4,4,1]',
    );
    await expect(trainer.step(goodX().subarray(1), [8, 4, 4, 1], goodY(), [8, 3])).rejects.toThrow(
      'x has 127 values; its shape [8,4,4,1] needs 128',
    );
    expect((await trainer.step(goodX(), [8, 4, 4, 1], goodY(), [8, 3])).loss).toBeGreaterThan(0);
  });

  it.each([
    ['this thread', 0],
    ['a worker', 7],
  ])('rejects one call when %s fails, awaits every shard, and stays usable', async (where, image) => {
    const trainer = await failureTrainer();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await trainer.step(goodX(), [8, 4, 4, 1], goodY(), [8, 3]); // the optimizer makes its slots
      const tensors = tf.memory().numTensors;
      const x = goodX();
      x[image * 16] = FAILURE_MARKER;
      const attempt = trainer.step(x, [8, 4, 4, 1], goodY(), [8, 3]);
      await expect(attempt).rejects.toThrow(
        `DataParallelTrainer.step: the batch of 8 failed in ${where}'s shard`,
      );
      await expect(attempt).rejects.toHaveProperty('cause');
      expect(tf.memory().numTensors).toBe(tensors);
      const after = await trainer.step(goodX(), [8, 4, 4, 1], goodY(), [8, 3]);
      expect(after.loss).toBeGreaterThan(0);
      expect(tf.memory().numTensors).toBe(tensors);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

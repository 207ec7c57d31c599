import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '@fmnist/backend';
import { mixSeed } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import { correctPredictions, type LossSpec, lossFunction, resolveLoss } from '../losses.js';
import { firstNonFinite, nonFiniteGradient } from './finite.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { shardGradients } from './shard-gradients.js';
import { workerScript } from './worker-url.js';

export interface DataParallelOptions {
  /** Threads computing gradients, this one included. `auto`: one per core. Default `auto`. */
  workers?: number | 'auto';
  /** The loss; default the one the model was compiled with (see `resolveLoss`). */
  loss?: LossSpec;
  /** Backend of the worker threads; default: the current backend of this thread. */
  backend?: BackendName;
  /** Modules the workers import before building the model (custom layers register there). */
  setupModules?: string[];
  /**
   * What a step does when the averaged gradient holds NaN or ±Infinity (the update is never applied):
   * `skip` drops the step, warns through `onSkippedStep` and returns `skipped: true`, as PyTorch's
   * `GradScaler` does; `stop` rejects the step with a TrainingError naming the weight. Default `skip`.
   */
  nonFiniteGradients?: 'skip' | 'stop';
  /** Told of every skipped step; default: one `console.warn` line. */
  onSkippedStep?: (message: string) => void;
}

export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Fraction of the batch classified right. */
  accuracy: number;
  /** The gradient was not finite, so no update was applied (`nonFiniteGradients: 'skip'`). */
  skipped: boolean;
}

type StepResultMessage = Extract<FromWorker, { type: 'result' }>;

interface Pending {
  resolve: (result: StepResultMessage) => void;
  reject: (error: Error) => void;
}

/**
 * Data-parallel training of a compiled `LayersModel` across `worker_threads`: each thread computes the
 * gradients of its shard of the batch, the gradients are averaged (weighted by shard size), and this
 * thread's optimizer (`model.optimizer`) applies the update; replicas get the new weights with their
 * next shard. One optimizer means callbacks that change the learning rate and checkpoints of optimizer
 * state work as with `model.fit`.
 */
export class DataParallelTrainer {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  private disposed = false;
  private stepping = false;
  private fitting = false;
  private skipped = 0;

  private constructor(
    readonly model: LayersModel,
    private readonly workers: Worker[],
    /** The loss every shard computes. */
    readonly loss: LossSpec,
    private readonly guard: { nonFiniteGradients: 'skip' | 'stop'; onSkippedStep: (message: string) => void },
  ) {
    this.lossFn = lossFunction(loss);
    for (const worker of workers) {
      worker.on('message', (message: FromWorker) => this.onMessage(message));
      worker.on('error', (error) => this.failAll(error));
    }
  }

  /** Steps skipped for a non-finite gradient since the trainer was made. */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** Threads in use, this one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  static async create(model: LayersModel, options: DataParallelOptions): Promise<DataParallelTrainer> {
    if (!model.optimizer)
      throw new TrainingError('DataParallelTrainer: compile the model first (it has no optimizer)');
    const requested = options.workers ?? 'auto';
    const threads = requested === 'auto' ? availableParallelism() : requested;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new TrainingError(
        `DataParallelTrainer: workers must be a positive integer or 'auto', got ${requested}`,
      );
    }
    const nonFiniteGradients = options.nonFiniteGradients ?? 'skip';
    if (nonFiniteGradients !== 'skip' && nonFiniteGradients !== 'stop')
      throw new TrainingError(
        `DataParallelTrainer: nonFiniteGradients must be 'skip' or 'stop', got ${String(nonFiniteGradients)}`,
      );
    const loss = resolveLoss(model, options.loss);
    const backend = options.backend ?? (tf.getBackend() as BackendName);
    const script = workerScript(import.meta.url);
    const topology = JSON.stringify(model.toJSON(null, false));
    const workers = await Promise.all(
      Array.from({ length: threads - 1 }, async () => {
        const worker = new Worker(script.script, {
          eval: script.eval,
          ...(script.execArgv ? { execArgv: script.execArgv } : {}),
        });
        const init: ToWorker = {
          type: 'init',
          topology,
          backend,
          loss,
          setupModules: options.setupModules ?? [],
        };
        await new Promise<void>((resolve, reject) => {
          const onMessage = (message: FromWorker) => {
            worker.off('error', reject);
            if (message.type === 'ready') resolve();
            else
              reject(
                new TrainingError(
                  `data-parallel worker failed to start: ${'message' in message ? message.message : message.type}`,
                ),
              );
          };
          worker.once('message', onMessage);
          worker.once('error', reject);
          worker.postMessage(init);
        });
        return worker;
      }),
    );
    return new DataParallelTrainer(model, workers, loss, {
      nonFiniteGradients,
      onSkippedStep: options.onSkippedStep ?? ((message) => console.warn(message)),
    });
  }

  /**
   * One optimizer step on a batch: `x` `[n, ...inputShape]` and one-hot `y` `[n, classes]` as flat
   * float32 arrays. Returns the batch's mean loss and accuracy. Shapes are checked against the model
   * before any work; a failure in any shard (this thread's or a worker's) rejects this call only, after
   * every shard has answered, and the trainer stays usable. With `seed`, every shard's dropout masks
   * come from it (shard i from `mixSeed(seed, i)`): the same batch, weights and seed give the same step.
   * A batch holding NaN or ±Infinity is refused before any work; a gradient that is not finite is never
   * applied (see `nonFiniteGradients`). One step at a time: a second call before the first settles, or
   * any call after `dispose()`, rejects at once.
   */
  async step(
    x: Float32Array,
    xShape: number[],
    y: Float32Array,
    yShape: number[],
    { seed }: { seed?: number } = {},
  ): Promise<StepResult> {
    this.assertUsable('step');
    if (this.stepping)
      throw new TrainingError('DataParallelTrainer.step: another step is still running; await it first');
    this.checkBatch('step', x, xShape, y, yShape);
    this.stepping = true;
    try {
      return await this.runStep(x, xShape, y, yShape, seed);
    } finally {
      this.stepping = false;
    }
  }

  private async runStep(
    x: Float32Array,
    xShape: number[],
    y: Float32Array,
    yShape: number[],
    seed: number | undefined,
  ): Promise<StepResult> {
    const count = xShape[0]!;
    const shards = shardSizes(count, this.threads);
    const xSize = x.length / count;
    const ySize = y.length / count;
    const weights =
      this.workers.length > 0 ? this.model.weights.map((w) => w.read().dataSync() as Float32Array) : [];
    let offset = shards[0]!;
    const remote = this.workers.map((worker, i) => {
      const size = shards[i + 1]!;
      const start = offset;
      offset += size;
      if (size === 0) return Promise.resolve(undefined);
      return this.request(worker, {
        type: 'step',
        id: this.nextId++,
        weights,
        x: x.slice(start * xSize, (start + size) * xSize),
        xShape: [size, ...xShape.slice(1)],
        y: y.slice(start * ySize, (start + size) * ySize),
        yShape: [size, ...yShape.slice(1)],
        ...(seed === undefined ? {} : { seed: mixSeed(seed, i + 1) }),
      });
    });
    const localCount = shards[0]!;
    let local: ReturnType<typeof shardGradients> | undefined;
    let localError: unknown;
    try {
      local = tf.tidy(() => {
        const xs = tf.tensor(x.subarray(0, localCount * xSize), [localCount, ...xShape.slice(1)]);
        const ys = tf.tensor(y.subarray(0, localCount * ySize), [localCount, ...yShape.slice(1)]);
        const shardSeed = seed === undefined ? undefined : mixSeed(seed, 0);
        const result = shardGradients(this.model, this.lossFn, this.loss, xs, ys, shardSeed);
        return { ...result, grads: result.grads.map((g) => tf.keep(g)) };
      });
    } catch (error) {
      localError = error;
    }
    // Every shard answers before this call settles, so no worker's rejection is left unhandled.
    const settled = await Promise.allSettled(remote);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (localError !== undefined || failed) {
      if (local) tf.dispose(local.grads);
      const where = localError !== undefined ? 'this thread' : 'a worker';
      throw new TrainingError(`DataParallelTrainer.step: the batch of ${count} failed in ${where}'s shard`, {
        cause: localError ?? failed!.reason,
      });
    }
    const results = settled.map((r) => (r as PromiseFulfilledResult<StepResultMessage | undefined>).value);
    const computed = local!;
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    let lossSum = computed.loss * localCount;
    let correct = computed.correct;
    const averaged = tf.tidy(() =>
      variables.map((variable, i) => {
        let sum = tf.mul(computed.grads[i]!, localCount);
        for (const result of results) {
          if (!result) continue;
          sum = tf.add(sum, tf.mul(tf.tensor(result.grads[i]!, variable.shape), result.count));
        }
        return { name: variable.name, tensor: tf.div(sum, count) };
      }),
    );
    for (const result of results) {
      if (!result) continue;
      lossSum += result.loss * result.count;
      correct += result.correct;
    }
    tf.dispose(computed.grads);
    const badWeight = nonFiniteGradient(averaged);
    if (badWeight === undefined) this.model.optimizer.applyGradients(averaged);
    tf.dispose(averaged.map((g) => g.tensor));
    const result = { loss: lossSum / count, accuracy: correct / count, skipped: badWeight !== undefined };
    if (badWeight !== undefined) {
      const message =
        `DataParallelTrainer.step: the gradient of ${badWeight} over the batch of ${count} is not finite ` +
        `(loss ${result.loss})`;
      if (this.guard.nonFiniteGradients === 'stop')
        throw new TrainingError(`${message}; the update was not applied`);
      this.skipped++;
      this.guard.onSkippedStep(`${message}; step skipped (${this.skippedSteps} so far)`);
    }
    return result;
  }

  /**
   * Mean loss and accuracy of the model on `x`/`y` (shaped as for `step`), in inference mode, on this
   * thread, `batchSize` samples at a time: what `fitDataParallel` reports as `val_loss` and `val_acc`.
   */
  evaluate(
    x: Float32Array,
    xShape: number[],
    y: Float32Array,
    yShape: number[],
    batchSize = 256,
  ): Omit<StepResult, 'skipped'> {
    this.assertUsable('evaluate');
    this.checkBatch('evaluate', x, xShape, y, yShape);
    const count = xShape[0]!;
    const xSize = x.length / count;
    const ySize = y.length / count;
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      tf.tidy(() => {
        const xs = tf.tensor(x.subarray(start * xSize, (start + n) * xSize), [n, ...xShape.slice(1)]);
        const ys = tf.tensor(y.subarray(start * ySize, (start + n) * ySize), [n, ...yShape.slice(1)]);
        const prediction = this.model.predict(xs) as tf.Tensor;
        lossSum += this.lossFn(ys, prediction).dataSync()[0]! * n;
        correct += correctPredictions(this.loss, ys, prediction);
      });
    }
    return { loss: lossSum / count, accuracy: correct / count };
  }

  private assertUsable(method: string) {
    if (this.disposed)
      throw new TrainingError(`DataParallelTrainer.${method}: the trainer was disposed; create a new one`);
  }

  /**
   * Marks the trainer as running a `fit`, refusing a second at the same time; returns the release.
   * @internal for `fitDataParallel`.
   */
  beginFit(): () => void {
    this.assertUsable('fit');
    if (this.fitting)
      throw new TrainingError('fitDataParallel: this trainer is already fitting; one fit at a time');
    this.fitting = true;
    return () => {
      this.fitting = false;
    };
  }

  /**
   * Rejects a batch that does not fit the model (naming the argument and both shapes) or holds a value
   * that is not finite (naming the tensor, the first bad index, its sample and the value).
   */
  private checkBatch(method: string, x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]) {
    const shape = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'n').join(',')}]`;
    const fail = (message: string) => {
      throw new TrainingError(`DataParallelTrainer.${method}: ${message}`);
    };
    const count = xShape[0];
    if (count === undefined || !Number.isInteger(count) || count < 1)
      fail(`xShape ${shape(xShape)} must start with a positive batch size`);
    const inputShape = this.model.inputs[0]!.shape;
    const outputShape = this.model.outputs[0]!.shape;
    const fits = (given: number[], expected: readonly (number | null)[]) =>
      given.length === expected.length && expected.every((d, i) => i === 0 || d === null || d === given[i]);
    if (!fits(xShape, inputShape))
      fail(`x of the batch of ${count} has shape ${shape(xShape)}; the model takes ${shape(inputShape)}`);
    const classes = outputShape.at(-1);
    if (this.loss.type === 'sparseCategoricalCrossentropy') {
      const indices = yShape.length === 1 || (yShape.length === 2 && yShape[1] === 1);
      if (!indices || yShape[0] !== count)
        fail(
          `y of the batch of ${count} has shape ${shape(yShape)}; class indices need [${count}] or [${count},1]`,
        );
    } else {
      if (
        this.loss.type === 'categoricalCrossentropy' &&
        yShape.length === 2 &&
        yShape[1] === 1 &&
        classes !== 1
      ) {
        fail(
          `y of the batch of ${count} has shape ${shape(yShape)}: class indices (sparse labels) need ` +
            `loss 'sparseCategoricalCrossentropy'; categoricalCrossentropy takes one-hot labels of shape [${count},${classes}]`,
        );
      }
      if (!fits(yShape, outputShape) || yShape[0] !== count)
        fail(
          `y of the batch of ${count} has shape ${shape(yShape)}; the model outputs ${shape(outputShape)}`,
        );
    }
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    if (x.length !== size(xShape))
      fail(`x has ${x.length} values; its shape ${shape(xShape)} needs ${size(xShape)}`);
    if (y.length !== size(yShape))
      fail(`y has ${y.length} values; its shape ${shape(yShape)} needs ${size(yShape)}`);
    for (const [name, values] of [
      ['x', x],
      ['y', y],
    ] as const) {
      const index = firstNonFinite(values);
      if (index >= 0) {
        const perSample = values.length / count!;
        fail(
          `${name} of the batch of ${count} holds ${values[index]} at index ${index} ` +
            `(sample ${Math.floor(index / perSample)}, element ${index % perSample}); training needs finite values`,
        );
      }
    }
  }

  private request(worker: Worker, message: Extract<ToWorker, { type: 'step' }>) {
    return new Promise<Extract<FromWorker, { type: 'result' }>>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      worker.postMessage(message, [message.x.buffer as ArrayBuffer, message.y.buffer as ArrayBuffer]);
    });
  }

  private onMessage(message: FromWorker) {
    if (message.type === 'result') {
      this.pending.get(message.id)?.resolve(message);
      this.pending.delete(message.id);
    } else if (message.type === 'error') {
      const error = new TrainingError(`data-parallel worker: ${message.message}`);
      if (message.id !== undefined && this.pending.has(message.id)) {
        this.pending.get(message.id)!.reject(error);
        this.pending.delete(message.id);
      } else this.failAll(error);
    }
  }

  private failAll(error: Error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  /** Stops the worker threads. Every later call rejects at once; disposing twice is harmless. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new TrainingError('DataParallelTrainer: disposed while a step was running'));
    await Promise.all(
      this.workers.map(async (worker) => {
        worker.postMessage({ type: 'close' } satisfies ToWorker);
        await worker.terminate();
      }),
    );
  }
}

/** Splits `count` samples over `threads` as evenly as possible, the first ones taking the remainder. */
export function shardSizes(count: number, threads: number): number[] {
  const base = Math.floor(count / threads);
  return Array.from({ length: threads }, (_, i) => base + (i < count % threads ? 1 : 0));
}

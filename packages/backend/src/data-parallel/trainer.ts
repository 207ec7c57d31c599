import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { BackendError } from '../errors.js';
import { type LossSpec, lossFunction } from '../losses.js';
import type { BackendName } from '../select-backend.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { shardGradients } from './shard-gradients.js';
import { workerScript } from './worker-url.js';

export interface DataParallelOptions {
  /** Threads computing gradients, this one included. `auto`: one per core. Default `auto`. */
  workers?: number | 'auto';
  loss: LossSpec;
  /** Backend of the worker threads; default: the current backend of this thread. */
  backend?: BackendName;
  /** Modules the workers import before building the model (custom layers register there). */
  setupModules?: string[];
}

export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Fraction of the batch classified right. */
  accuracy: number;
}

interface Pending {
  resolve: (result: Extract<FromWorker, { type: 'result' }>) => void;
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

  private constructor(
    readonly model: LayersModel,
    private readonly workers: Worker[],
    loss: LossSpec,
  ) {
    this.lossFn = lossFunction(loss);
    for (const worker of workers) {
      worker.on('message', (message: FromWorker) => this.onMessage(message));
      worker.on('error', (error) => this.failAll(error));
    }
  }

  /** Threads in use, this one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  static async create(model: LayersModel, options: DataParallelOptions): Promise<DataParallelTrainer> {
    if (!model.optimizer)
      throw new BackendError('DataParallelTrainer: compile the model first (it has no optimizer)');
    const requested = options.workers ?? 'auto';
    const threads = requested === 'auto' ? availableParallelism() : requested;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new BackendError(
        `DataParallelTrainer: workers must be a positive integer or 'auto', got ${requested}`,
      );
    }
    const backend = options.backend ?? (tf.getBackend() as BackendName);
    const script = workerScript(import.meta.url);
    const topology = JSON.stringify(model.toJSON(null, false));
    const workers = await Promise.all(
      Array.from({ length: threads - 1 }, async () => {
        const worker = new Worker(script.script, { eval: script.eval });
        const init: ToWorker = {
          type: 'init',
          topology,
          backend,
          loss: options.loss,
          setupModules: options.setupModules ?? [],
        };
        await new Promise<void>((resolve, reject) => {
          const onMessage = (message: FromWorker) => {
            worker.off('error', reject);
            if (message.type === 'ready') resolve();
            else
              reject(
                new BackendError(
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
    return new DataParallelTrainer(model, workers, options.loss);
  }

  /**
   * One optimizer step on a batch: `x` `[n, ...inputShape]` and one-hot `y` `[n, classes]` as flat
   * float32 arrays. Returns the batch's mean loss and accuracy.
   */
  async step(x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]): Promise<StepResult> {
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
      });
    });
    const localCount = shards[0]!;
    const local = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(0, localCount * xSize), [localCount, ...xShape.slice(1)]);
      const ys = tf.tensor(y.subarray(0, localCount * ySize), [localCount, ...yShape.slice(1)]);
      const result = shardGradients(this.model, this.lossFn, xs, ys);
      return { ...result, grads: result.grads.map((g) => tf.keep(g)) };
    });
    const results = await Promise.all(remote);
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    let lossSum = local.loss * localCount;
    let correct = local.correct;
    const averaged = tf.tidy(() =>
      variables.map((variable, i) => {
        let sum = tf.mul(local.grads[i]!, localCount);
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
    tf.dispose(local.grads);
    this.model.optimizer.applyGradients(averaged);
    tf.dispose(averaged.map((g) => g.tensor));
    return { loss: lossSum / count, accuracy: correct / count };
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
      const error = new BackendError(`data-parallel worker: ${message.message}`);
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

  async dispose(): Promise<void> {
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

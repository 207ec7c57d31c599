import type { BackendName, SimdKernelBuild } from '@fmnist/backend';
import { compileSimdKernels, setSimdKernelBuild, simdKernelChoice } from '@fmnist/backend';
import { mixSeed } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import { type LossSpec, lossFunction, resolveLoss } from '../losses.js';
import { checkBatch } from './check-batch.js';
import { evaluateSums } from './evaluate-sums.js';
import { nonFiniteGradient } from './finite.js';
import { type ReplicaInfo, ReplicaPool, type ShardResult } from './replica-pool.js';
import { shardGradients } from './shard-gradients.js';
import type { WorkerTransport } from './transport.js';

export interface DataParallelOptions {
  /**
   * Threads computing gradients. `auto`: one per core (`navigator.hardwareConcurrency` in browsers).
   * With `localShard` (Node's default) this thread is one of them; without it (browsers' default) each
   * is a worker. Default `auto`.
   */
  workers?: number | 'auto';
  /** The loss; default the one the model was compiled with (see `resolveLoss`). */
  loss?: LossSpec;
  /** Backend of the workers; default: the current backend of this thread. */
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
  /**
   * Whether this thread computes a shard of each batch too. Default `true` from `./node`; `false` from
   * `./browser`, so the page's thread only averages gradients and applies the update and never blocks
   * for a shard's forward and backward pass.
   */
  localShard?: boolean;
  /**
   * Where the workers find tfjs-backend-wasm's `.wasm` files (`setWasmPaths`'s argument: a URL prefix
   * ending in `/`, or a map from file name to URL). Bundlers move them; default: tfjs's own lookup.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Which build of @fmnist/backend's conv kernels the gradient threads run: `auto` (relaxed SIMD where
   * the engine has it, else SIMD128, else none) or one forced, as `FMNIST_WASM_KERNELS` does in Node.
   * A forced build the engine cannot run fails `create`. Default `auto`.
   */
  kernelBuild?: SimdKernelBuild | 'auto';
  /** How workers start: `./node` uses worker_threads, `./browser` Web Workers; pass one to replace it. */
  transport?: WorkerTransport;
  /**
   * How long a worker may take to start or to answer a step or an evaluation before it counts as lost
   * (the call rejects naming it, as when a worker dies): a browser can end a Web Worker, for memory,
   * without any event. In ms; `Infinity` waits forever. Default: 10 minutes for a worker's first answer
   * of each kind, then 20 times its slowest answer so far per sample (at least 2 minutes).
   */
  replicaTimeoutMs?: number;
}

export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Fraction of the batch classified right. */
  accuracy: number;
  /** The gradient was not finite, so no update was applied (`nonFiniteGradients: 'skip'`). */
  skipped: boolean;
}

/** How a trainer runs: where its gradients are computed and with which kernels. */
export interface DataParallelInfo {
  /** `worker_threads` or `Web Workers` (or a custom transport's kind). */
  transport: string;
  /** Threads computing gradients, this one included when `localShard`. */
  threads: number;
  localShard: boolean;
  /** Each worker's backend and conv-kernel build, as it reported them on start. */
  workers: ReplicaInfo[];
  /** The conv-kernel build the gradient threads run (`off`: tfjs-wasm's own kernels; undefined: not wasm). */
  kernelBuild: SimdKernelBuild | undefined;
}

/** What `create` builds a trainer from. @internal */
export interface TrainerParts {
  model: LayersModel;
  pool: ReplicaPool;
  loss: LossSpec;
  localShard: boolean;
  transport: string;
  guard: { nonFiniteGradients: 'skip' | 'stop'; onSkippedStep: (message: string) => void };
}

/** Platform defaults of an entry point (`./node`, `./browser`). @internal */
export interface TrainerDefaults {
  transport: () => WorkerTransport;
  localShard: boolean;
}

/**
 * Data-parallel training of a compiled `LayersModel` across workers (Node's `worker_threads` or
 * browsers' Web Workers, the same code and messages on both): each thread computes the gradients of its
 * shard of the batch, the gradients are averaged (weighted by shard size), and this thread's optimizer
 * (`model.optimizer`) applies the update; replicas get the new weights with their next shard. One
 * optimizer means callbacks that change the learning rate and checkpoints of optimizer state work as
 * with `model.fit`. Create it with `DataParallelTrainer.create` from `@fmnist/training/node` or
 * `@fmnist/training/browser`.
 */
export class DataParallelTrainer {
  readonly model: LayersModel;
  /** The loss every shard computes. */
  readonly loss: LossSpec;
  private readonly pool: ReplicaPool;
  private readonly localShard: boolean;
  private readonly transport: string;
  private readonly guard: TrainerParts['guard'];
  private readonly lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  private disposed = false;
  private stepping = false;
  private fitting = false;
  private skipped = 0;

  /** @internal use `DataParallelTrainer.create` of `./node` or `./browser`. */
  constructor(parts: TrainerParts) {
    this.model = parts.model;
    this.loss = parts.loss;
    this.pool = parts.pool;
    this.localShard = parts.localShard;
    this.transport = parts.transport;
    this.guard = parts.guard;
    this.lossFn = lossFunction(parts.loss);
  }

  /**
   * Starts the workers and resolves once each has built its replica. Without `options.transport` this
   * core class cannot start workers: use `DataParallelTrainer` from `@fmnist/training/node` or
   * `@fmnist/training/browser`, which supply theirs.
   */
  static async create(model: LayersModel, options: DataParallelOptions = {}): Promise<DataParallelTrainer> {
    const transport = options.transport;
    if (!transport)
      throw new TrainingError(
        'DataParallelTrainer.create: no transport; import DataParallelTrainer from @fmnist/training/node or @fmnist/training/browser, or pass options.transport',
      );
    return new DataParallelTrainer(
      await startTrainer(model, options, { transport: () => transport, localShard: true }),
    );
  }

  /** Steps skipped for a non-finite gradient since the trainer was made. */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** Threads computing gradients, this one included when it computes a shard. */
  get threads(): number {
    return this.pool.size + (this.localShard ? 1 : 0);
  }

  /** The conv-kernel build the gradient threads run; undefined when they are not on wasm. */
  get kernelBuild(): SimdKernelBuild | undefined {
    return this.info().kernelBuild;
  }

  /** Where gradients are computed and with which kernels. */
  info(): DataParallelInfo {
    const workers = this.pool.infos;
    const first = workers[0];
    const kernelBuild = first
      ? first.backend === 'wasm'
        ? (first.kernels?.build ?? 'off')
        : undefined
      : tf.getBackend() === 'wasm'
        ? simdKernelChoice().build
        : undefined;
    return {
      transport: this.transport,
      threads: this.threads,
      localShard: this.localShard,
      workers,
      kernelBuild,
    };
  }

  /**
   * One optimizer step on a batch: `x` `[n, ...inputShape]` and one-hot `y` `[n, classes]` as flat
   * float32 arrays. Returns the batch's mean loss and accuracy. Shapes are checked against the model
   * before any work; a failure in any shard (this thread's or a worker's) rejects this call only, after
   * every shard has answered, and the trainer stays usable; a worker that dies (an uncaught error, an
   * exit) fails this call and every later one with an error naming it. With `seed`, every shard's
   * dropout masks come from it (shard i from `mixSeed(seed, i)`): the same batch, weights and seed give
   * the same step.
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
    checkBatch('DataParallelTrainer.step', this.model, this.loss, x, xShape, y, yShape);
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
    const lost = this.pool.lost();
    if (lost)
      throw new TrainingError(`DataParallelTrainer.step: ${lost.message}; create a new trainer`, {
        cause: lost,
      });
    // Shard 0 is this thread's (empty without `localShard`); shard i + 1 is worker i's.
    const shards = [...(this.localShard ? [] : [0]), ...shardSizes(count, this.threads)];
    const xSize = x.length / count;
    const ySize = y.length / count;
    const weights =
      this.pool.size > 0 ? this.model.weights.map((w) => w.read().dataSync() as Float32Array) : [];
    let offset = shards[0]!;
    const remote = Array.from({ length: this.pool.size }, (_, i) => {
      const size = shards[i + 1]!;
      const start = offset;
      offset += size;
      if (size === 0) return Promise.resolve(undefined);
      return this.pool.step(i, {
        weights,
        x: x.slice(start * xSize, (start + size) * xSize),
        xShape: [size, ...xShape.slice(1)],
        y: y.slice(start * ySize, (start + size) * ySize),
        yShape: [size, ...yShape.slice(1)],
        ...(seed === undefined ? {} : { seed: mixSeed(seed, this.localShard ? i + 1 : i) }),
      });
    });
    const localCount = shards[0]!;
    let computed: ReturnType<typeof shardGradients> | undefined;
    let localError: unknown;
    if (localCount > 0) {
      try {
        computed = tf.tidy(() => {
          const xs = tf.tensor(x.subarray(0, localCount * xSize), [localCount, ...xShape.slice(1)]);
          const ys = tf.tensor(y.subarray(0, localCount * ySize), [localCount, ...yShape.slice(1)]);
          const shardSeed = seed === undefined ? undefined : mixSeed(seed, 0);
          const result = shardGradients(this.model, this.lossFn, this.loss, xs, ys, shardSeed);
          return { ...result, grads: result.grads.map((g) => tf.keep(g)) };
        });
      } catch (error) {
        localError = error;
      }
    }
    // Every shard answers before this call settles, so no worker's rejection is left unhandled.
    const settled = await Promise.allSettled(remote);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (localError !== undefined || failed) {
      if (computed) tf.dispose(computed.grads);
      const died: TrainingError | undefined = this.pool.lost();
      if (localError === undefined && died)
        throw new TrainingError(`DataParallelTrainer.step: the batch of ${count} failed: ${died.message}`, {
          cause: died,
        });
      const where = localError !== undefined ? 'this thread' : 'a worker';
      throw new TrainingError(`DataParallelTrainer.step: the batch of ${count} failed in ${where}'s shard`, {
        cause: localError ?? failed!.reason,
      });
    }
    const results = settled.map((r) => (r as PromiseFulfilledResult<ShardResult | undefined>).value);
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    let lossSum = computed ? computed.loss * localCount : 0;
    let correct = computed ? computed.correct : 0;
    const averaged = tf.tidy(() =>
      variables.map((variable, i) => {
        let sum: tf.Tensor = computed ? tf.mul(computed.grads[i]!, localCount) : tf.zeros(variable.shape);
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
    if (computed) tf.dispose(computed.grads);
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
    checkBatch('DataParallelTrainer.evaluate', this.model, this.loss, x, xShape, y, yShape);
    const count = xShape[0]!;
    const { lossSum, correct } = evaluateSums(
      this.model,
      this.lossFn,
      this.loss,
      { x, xShape, y, yShape },
      batchSize,
    );
    return { loss: lossSum / count, accuracy: correct / count };
  }

  /**
   * `evaluate` spread over the workers, each taking a share of the samples, this thread only summing:
   * the page stays responsive while a validation set is evaluated. On this thread when there are no
   * workers. `fitDataParallel` evaluates `validationData` this way when this thread computes no shard
   * (`localShard: false`, the browser default).
   */
  async evaluateInWorkers(
    x: Float32Array,
    xShape: number[],
    y: Float32Array,
    yShape: number[],
    batchSize = 256,
  ): Promise<Omit<StepResult, 'skipped'>> {
    this.assertUsable('evaluateInWorkers');
    if (this.pool.size === 0) return this.evaluate(x, xShape, y, yShape, batchSize);
    checkBatch('DataParallelTrainer.evaluateInWorkers', this.model, this.loss, x, xShape, y, yShape);
    const lost = this.pool.lost();
    if (lost)
      throw new TrainingError(
        `DataParallelTrainer.evaluateInWorkers: ${lost.message}; create a new trainer`,
        {
          cause: lost,
        },
      );
    const count = xShape[0]!;
    const xSize = x.length / count;
    const ySize = y.length / count;
    const weights = this.model.weights.map((w) => w.read().dataSync() as Float32Array);
    let start = 0;
    const shares = shardSizes(count, this.pool.size).map((size, i) => {
      const from = start;
      start += size;
      if (size === 0) return Promise.resolve({ lossSum: 0, correct: 0 });
      return this.pool.evaluate(i, {
        weights,
        x: x.slice(from * xSize, (from + size) * xSize),
        xShape: [size, ...xShape.slice(1)],
        y: y.slice(from * ySize, (from + size) * ySize),
        yShape: [size, ...yShape.slice(1)],
        batchSize,
      });
    });
    const settled = await Promise.allSettled(shares);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed)
      throw new TrainingError(
        `DataParallelTrainer.evaluateInWorkers: evaluating ${count} samples failed: ${(failed.reason as Error).message}`,
        { cause: failed.reason },
      );
    let lossSum = 0;
    let correct = 0;
    for (const share of settled as PromiseFulfilledResult<{ lossSum: number; correct: number }>[]) {
      lossSum += share.value.lossSum;
      correct += share.value.correct;
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

  /** Stops the workers. Every later call rejects at once; disposing twice is harmless. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pool.close();
  }
}

/** Checks `options`, starts the workers and returns what the trainer is made of. @internal */
export async function startTrainer(
  model: LayersModel,
  options: DataParallelOptions,
  defaults: TrainerDefaults,
): Promise<TrainerParts> {
  if (!model.optimizer)
    throw new TrainingError('DataParallelTrainer: compile the model first (it has no optimizer)');
  const transport = options.transport ?? defaults.transport();
  const localShard = options.localShard ?? defaults.localShard;
  const requested = options.workers ?? 'auto';
  const threads = requested === 'auto' ? transport.availableThreads() : requested;
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
  const kernelBuild = options.kernelBuild ?? 'auto';
  if (!['auto', 'relaxed-simd', 'simd128', 'off'].includes(kernelBuild))
    throw new TrainingError(
      `DataParallelTrainer: kernelBuild must be 'auto', 'relaxed-simd', 'simd128' or 'off', got ${String(kernelBuild)}`,
    );
  const { replicaTimeoutMs } = options;
  if (replicaTimeoutMs !== undefined && !(typeof replicaTimeoutMs === 'number' && replicaTimeoutMs > 0))
    throw new TrainingError(
      `DataParallelTrainer: replicaTimeoutMs must be a positive number of milliseconds (or Infinity), got ${String(replicaTimeoutMs)}`,
    );
  const loss = resolveLoss(model, options.loss);
  const backend = options.backend ?? (tf.getBackend() as BackendName);
  if (kernelBuild !== 'auto' && localShard) {
    // This thread computes a shard too: it runs the forced build, so every shard's gradient is alike.
    setSimdKernelBuild(kernelBuild);
    await compileSimdKernels();
  }
  const pool = await ReplicaPool.start(
    transport,
    threads - (localShard ? 1 : 0),
    {
      type: 'init',
      topology: JSON.stringify(model.toJSON(null, false)),
      backend,
      loss,
      setupModules: options.setupModules ?? [],
      ...(options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths }),
      ...(kernelBuild === 'auto' ? {} : { kernelBuild }),
    },
    replicaTimeoutMs,
  );
  return {
    model,
    pool,
    loss,
    localShard,
    transport: transport.kind,
    guard: {
      nonFiniteGradients,
      onSkippedStep: options.onSkippedStep ?? ((message) => console.warn(message)),
    },
  };
}

/** Splits `count` samples over `threads` as evenly as possible, the first ones taking the remainder. */
export function shardSizes(count: number, threads: number): number[] {
  const base = Math.floor(count / threads);
  return Array.from({ length: threads }, (_, i) => base + (i < count % threads ? 1 : 0));
}

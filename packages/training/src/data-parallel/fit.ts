import { mixSeed } from '@fmnist/random';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import type { DataParallelTrainer, StepResult } from './trainer.js';

export interface TrainingBatch {
  /** `[n, ...inputShape]` flat float32. */
  x: Float32Array;
  xShape: number[];
  /** Targets for the trainer's loss (one-hot, class indices or 0/1), flat float32. */
  y: Float32Array;
  yShape: number[];
}

export interface FitOptions {
  epochs: number;
  /** First epoch to run (0-based), to continue a run. Default 0. */
  initialEpoch?: number;
  /** Batches already done in `initialEpoch` (a run stopped mid-epoch): batch indices start there. */
  initialBatch?: number;
  /**
   * The running sums of the epoch in progress, kept in this object: on entry what the batches already
   * done in `initialEpoch` summed to (a resume), then updated in place after every batch and zeroed at
   * every new epoch, so a checkpoint taken from a callback can save them and the resumed epoch's
   * `loss`/`acc` logs cover all of its batches. Default: a fresh object (see `FitResult.epochTotals`).
   */
  totals?: EpochTotals;
  /** The batches of an epoch, in order (for a mid-epoch resume, without the ones already done). */
  batches: (epoch: number) => Iterable<TrainingBatch> | AsyncIterable<TrainingBatch>;
  /** Batches per epoch, for progress displays (`params.steps`); optional. */
  stepsPerEpoch?: number;
  /** Held-out data, evaluated after each epoch as Keras's `val_loss` and `val_acc`. */
  validationData?: TrainingBatch & { batchSize?: number };
  /** tfjs callbacks: tfjs-layers' own and @fmnist/callbacks'. */
  callbacks?: tfl.Callback[];
  /** Extra epoch logs (e.g. `val_loss`, `val_acc`) computed after each epoch. */
  validate?: (epoch: number) => Promise<Record<string, number>> | Record<string, number>;
  /** Polled after every batch: true stops training after this batch (e.g. on SIGINT). */
  shouldStop?: () => boolean;
  /**
   * Seed of the dropout masks: each step's comes from it, the epoch and the batch index, so the same
   * seed, batches and worker count give the same training, also across a stop and resume.
   */
  seed?: number;
}

/** Running sums of the epoch in progress: loss × samples, samples classified right, samples. */
export interface EpochTotals {
  loss: number;
  correct: number;
  seen: number;
}

export interface FitResult {
  epoch: number[];
  history: Record<string, number[]>;
  /** Stopped by `shouldStop` (not by a callback or the epoch count). */
  interrupted: boolean;
  /** Where training stopped: the epoch in progress and batches done in it. */
  stoppedAt: { epoch: number; batch: number };
  /** The sums of the epoch in progress when training stopped (zeros after a whole epoch). */
  epochTotals: EpochTotals;
}

/**
 * `model.fit` for a {@link DataParallelTrainer}: the same callback protocol (train, epoch and batch
 * begin/end, with `loss`/`acc` logs and `model.stopTraining`), so tfjs callbacks work unchanged.
 */
export async function fitDataParallel(trainer: DataParallelTrainer, options: FitOptions): Promise<FitResult> {
  const release = trainer.beginFit();
  try {
    return await fitEpochs(trainer, options);
  } finally {
    release();
  }
}

async function fitEpochs(trainer: DataParallelTrainer, options: FitOptions): Promise<FitResult> {
  const model = trainer.model;
  const callbacks = new tfl.CallbackList(options.callbacks ?? []);
  const initialEpoch = options.initialEpoch ?? 0;
  callbacks.setModel(model);
  callbacks.setParams({
    epochs: options.epochs,
    initialEpoch,
    ...(options.stepsPerEpoch === undefined ? {} : { steps: options.stepsPerEpoch }),
    verbose: 0,
    doValidation: Boolean(options.validate || options.validationData),
    metrics: ['loss', 'acc', ...(options.validationData ? ['val_loss', 'val_acc'] : [])],
  });
  model.stopTraining = false;
  const result: FitResult = {
    epoch: [],
    history: {},
    interrupted: false,
    stoppedAt: { epoch: initialEpoch, batch: options.initialBatch ?? 0 },
    epochTotals: options.totals ?? { loss: 0, correct: 0, seen: 0 },
  };
  await callbacks.onTrainBegin();
  for (let epoch = initialEpoch; epoch < options.epochs; epoch++) {
    await callbacks.onEpochBegin(epoch);
    const resumed = epoch === initialEpoch;
    let batch = resumed ? (options.initialBatch ?? 0) : 0;
    const totals = result.epochTotals;
    if (!resumed) Object.assign(totals, { loss: 0, correct: 0, seen: 0 });
    for await (const data of options.batches(epoch)) {
      const size = data.xShape[0]!;
      await callbacks.onBatchBegin(batch, { batch, size });
      const seed = options.seed === undefined ? undefined : mixSeed(mixSeed(options.seed, epoch), batch);
      const step = await stepOf(trainer, data, seed, epoch, batch);
      totals.loss += step.loss * size;
      totals.correct += step.accuracy * size;
      totals.seen += size;
      await callbacks.onBatchEnd(batch, { batch, size, loss: step.loss, acc: step.accuracy });
      batch++;
      result.stoppedAt = { epoch, batch };
      // On one thread a step never leaves this event loop: without a turn of it, a signal handler (Ctrl-C,
      // SIGTERM) that sets what shouldStop reads would run only when the epoch ends.
      await turnOfEventLoop();
      if (options.shouldStop?.()) {
        result.interrupted = true;
        break;
      }
      if (model.stopTraining) break;
    }
    if (result.interrupted) break;
    if (totals.seen === 0)
      throw new TrainingError(
        `fitDataParallel: epoch ${epoch} had no batches (options.batches(${epoch}) yielded none; ` +
          'an exhausted generator, or an empty dataset?)',
      );
    const logs: Record<string, number> = {
      loss: totals.loss / totals.seen,
      acc: totals.correct / totals.seen,
    };
    const held = options.validationData;
    if (held) {
      // Where this thread computes no shard (browsers), the workers evaluate too: the page stays responsive.
      const { loss, accuracy } = trainer.info().localShard
        ? trainer.evaluate(held.x, held.xShape, held.y, held.yShape, held.batchSize)
        : await trainer.evaluateInWorkers(held.x, held.xShape, held.y, held.yShape, held.batchSize);
      Object.assign(logs, { val_loss: loss, val_acc: accuracy });
    }
    if (options.validate) Object.assign(logs, await options.validate(epoch));
    await callbacks.onEpochEnd(epoch, logs);
    result.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs))
      result.history[key] = [...(result.history[key] ?? []), value];
    result.stoppedAt = { epoch: epoch + 1, batch: 0 };
    Object.assign(result.epochTotals, { loss: 0, correct: 0, seen: 0 });
    if (model.stopTraining) break;
  }
  await callbacks.onTrainEnd();
  return result;
}

/**
 * One turn of the event loop: setImmediate where there is one (Node's setTimeout waits at least 1 ms, on
 * every step), else setTimeout (browsers and Web Workers have no setImmediate).
 */
function turnOfEventLoop(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/** One step, its failure named by epoch and batch (the trainer names the tensor and the index). */
async function stepOf(
  trainer: DataParallelTrainer,
  data: TrainingBatch,
  seed: number | undefined,
  epoch: number,
  batch: number,
): Promise<StepResult> {
  try {
    return await trainer.step(data.x, data.xShape, data.y, data.yShape, { seed });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TrainingError(`fitDataParallel: epoch ${epoch}, batch ${batch}: ${message}`, { cause: error });
  }
}

import { type CheckpointStore, IoError } from '@fmnist/io';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { EpochTotals } from '../data-parallel/fit.js';
import {
  bestWeightsOnResume,
  loadRunCheckpoint,
  type ResumedRun,
  runTensors,
  saveRunCheckpoint,
} from './run-checkpoints.js';
import { newTrainingState, type ResumableCallback, type TrainingState } from './training-state.js';

type BatchLogs = { size?: number };

/** Minutes between checkpoints within an epoch unless told: what a kill may lose. */
const DEFAULT_SAVE_EVERY_MINUTES = 10;

export interface RunProgressOptions {
  /** The run's seed: a new run's augmentation stream starts from it. */
  seed: number;
  /** Continue from the store's newest good checkpoint, which loads the model's weights and optimizer. */
  resume?: boolean;
  /** Also save every this many minutes within an epoch (0: after every batch). Default 10. */
  saveEveryMinutes?: number;
  /**
   * Told when a checkpoint the callback saves fails with an `IoError` (a full disk, a browser's storage
   * quota): training then goes on, and the next save tries again. Default: the error stops training.
   */
  onSaveError?: (error: IoError) => void;
}

/**
 * Where a run stands (`state`), kept up to date batch by batch, and its checkpoint `last` in `store`:
 * saved at every epoch end and every `saveEveryMinutes` within one, with the counters of the callbacks
 * registered as resumable and the tensor lists registered with `keepTensors` (a weights average, early
 * stopping's best weights). Put it last in the callback list, so a checkpoint records callbacks that have
 * seen the epoch. As Keras's `BackupAndRestore`, for `fitDataParallel` and any `CheckpointStore`.
 */
export class RunProgress extends tfl.Callback {
  /** Callbacks whose counters go into checkpoints, by role, so a resumed run behaves as an unbroken one. */
  readonly resumable: Record<string, tfl.Callback & ResumableCallback> = {};
  /** The running sums of the epoch in progress, kept by `fitDataParallel` (its `totals` option). */
  readonly totals: EpochTotals;
  private readonly kept = new Map<string, () => tf.Tensor[] | undefined>();
  private stepStarted = 0;
  private lastSave = performance.now();

  private constructor(
    /** Where the run's checkpoints are. */
    readonly store: CheckpointStore,
    private readonly runModel: tfl.LayersModel,
    public state: TrainingState,
    private readonly saveEveryMinutes: number,
    /** What the run resumed from; undefined for a new run. */
    readonly resumed: ResumedRun | undefined,
    private readonly onSaveError: ((error: IoError) => void) | undefined,
  ) {
    super();
    this.totals = { ...(state.epochTotals ?? { loss: 0, correct: 0, seen: 0 }) };
  }

  /** A new run's progress, or with `resume` a resumed one's from its newest good checkpoint (loaded into `model`). */
  static async start(
    store: CheckpointStore,
    model: tfl.LayersModel,
    { seed, resume = false, saveEveryMinutes = DEFAULT_SAVE_EVERY_MINUTES, onSaveError }: RunProgressOptions,
  ): Promise<RunProgress> {
    if (!resume)
      return new RunProgress(store, model, newTrainingState(seed), saveEveryMinutes, undefined, onSaveError);
    const resumed = await loadRunCheckpoint(store, model);
    return new RunProgress(store, model, resumed.state, saveEveryMinutes, resumed, onSaveError);
  }

  /** Saves the tensors `source` gives (copies, freed after the save) as list `list` with every checkpoint. */
  keepTensors(list: string, source: () => tf.Tensor[] | undefined): void {
    this.kept.set(list, source);
  }

  /** List `list` as saved with the checkpoint the run resumed from; undefined for a new run or when it has none. */
  resumedTensors(list: string): Promise<tf.Tensor[] | undefined> {
    if (!this.resumed) return Promise.resolve(undefined);
    return runTensors(this.store, this.resumed.name, list);
  }

  /**
   * Early stopping's best weights for a resumed run (list `best`; from older checkpoints, the `best`
   * checkpoint when it holds the same best); undefined for a new run.
   */
  resumedBestWeights(): Promise<tf.Tensor[] | undefined> {
    if (!this.resumed) return Promise.resolve(undefined);
    return bestWeightsOnResume(this.store, this.resumed.name, this.state);
  }

  /** Puts the saved counters back into the registered callbacks. */
  restoreCallbackStates(): void {
    for (const [role, saved] of Object.entries(this.state.callbacks ?? {}))
      this.resumable[role]?.setState(saved);
  }

  override async onBatchBegin() {
    this.stepStarted = performance.now();
  }

  override async onBatchEnd(batch: number, logs?: BatchLogs) {
    const { state } = this;
    state.globalStep += 1;
    state.batchInEpoch = batch + 1;
    state.trainSeconds += (performance.now() - this.stepStarted) / 1000;
    state.imagesSeen += logs?.size ?? 0;
    // Mid-epoch checkpoints bound what a kill (a session ending, a crash) loses; resuming is exact.
    if (performance.now() - this.lastSave >= this.saveEveryMinutes * 60_000) await this.saveOrReport();
  }

  override async onEpochEnd(epoch: number) {
    this.state = { ...this.state, epoch: epoch + 1, batchInEpoch: 0 };
    await this.saveOrReport();
  }

  /** A save from the training loop: with `onSaveError`, a failed one is reported and training goes on. */
  private async saveOrReport(): Promise<void> {
    try {
      await this.save();
    } catch (error) {
      if (!(this.onSaveError && error instanceof IoError)) throw error;
      // Counted as an attempt, so a failing store is retried at the save interval, not every batch.
      this.lastSave = performance.now();
      this.onSaveError(error);
    }
  }

  /** Saves checkpoint `last` now (also what a stopped run does before it exits). */
  async save(): Promise<void> {
    const tensors = Object.fromEntries([...this.kept].map(([list, source]) => [list, source()]));
    const callbacks = Object.fromEntries(
      Object.entries(this.resumable).map(([role, c]) => [role, c.getState()]),
    );
    // At an epoch's end the next epoch has no batches yet: its sums start from zero.
    const epochTotals = this.state.batchInEpoch > 0 ? { ...this.totals } : undefined;
    try {
      await saveRunCheckpoint(this.store, this.runModel, { ...this.state, epochTotals, callbacks }, tensors);
    } finally {
      tf.dispose(Object.values(tensors).flatMap((list) => list ?? []));
    }
    this.lastSave = performance.now();
  }
}

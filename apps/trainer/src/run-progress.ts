import type { EarlyStopping, ResumableCallback, WeightsEMA } from '@fmnist/callbacks';
import type { EpochTotals } from '@fmnist/training/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';

type BatchLogs = { size?: number };

/**
 * Where the run stands (`state`), kept up to date batch by batch, and its checkpoint `checkpoints/last`:
 * saved at every epoch end and every `saveEveryMinutes` within one, with the counters of the callbacks
 * registered as resumable, the weights average and early stopping's best weights. Last in the callback list, so a checkpoint records
 * callbacks that have seen the epoch.
 */
export class RunProgress extends tfl.Callback {
  /** Callbacks whose counters go into checkpoints, by role, so a resumed run behaves as an unbroken one. */
  readonly resumable: Record<string, tfl.Callback & ResumableCallback> = {};
  ema: WeightsEMA | undefined;
  /** Early stopping that restores its best weights: they go into checkpoints too. */
  earlyStopping: EarlyStopping | undefined;
  private stepStarted = 0;
  private lastSave = performance.now();
  /** The running sums of the epoch in progress, kept by `fitDataParallel` (its `totals` option). */
  readonly totals: EpochTotals;

  private constructor(
    private readonly lastDir: string,
    private readonly runModel: tfl.LayersModel,
    public state: TrainingState,
    private readonly saveEveryMinutes: number,
  ) {
    super();
    this.totals = { ...(state.epochTotals ?? { loss: 0, correct: 0, seen: 0 }) };
  }

  /** A new run's progress, or a resumed one's from its checkpoint (which loads the model's weights). */
  static async start(
    lastDir: string,
    model: tfl.LayersModel,
    { seed, resume, saveEveryMinutes }: { seed: number; resume: boolean; saveEveryMinutes: number },
  ): Promise<{ progress: RunProgress; resumedFrom: string }> {
    if (!resume) {
      const fresh = {
        epoch: 0,
        batchInEpoch: 0,
        globalStep: 0,
        augmentState: seed,
        trainSeconds: 0,
        imagesSeen: 0,
      };
      return { progress: new RunProgress(lastDir, model, fresh, saveEveryMinutes), resumedFrom: lastDir };
    }
    const { state, dir } = await loadCheckpoint(lastDir, model);
    console.log(`resumed from ${dir}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`);
    return { progress: new RunProgress(lastDir, model, state, saveEveryMinutes), resumedFrom: dir };
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
    if (performance.now() - this.lastSave >= this.saveEveryMinutes * 60_000) await this.save();
  }

  override async onEpochEnd(epoch: number) {
    this.state = { ...this.state, epoch: epoch + 1, batchInEpoch: 0 };
    await this.save();
  }

  async save(): Promise<void> {
    const average = this.ema?.getWeights();
    const bestWeights = this.earlyStopping?.getBestWeights();
    const callbacks = Object.fromEntries(
      Object.entries(this.resumable).map(([role, c]) => [role, c.getState()]),
    );
    // At an epoch's end the next epoch has no batches yet: its sums start from zero.
    const epochTotals = this.state.batchInEpoch > 0 ? { ...this.totals } : undefined;
    await saveCheckpoint(
      this.lastDir,
      this.runModel,
      { ...this.state, epochTotals, callbacks },
      { ema: average, best: bestWeights },
    );
    tf.dispose([...(average ?? []), ...(bestWeights ?? [])]);
    this.lastSave = performance.now();
  }
}

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { logLine } from './console-line.js';
import { CallbackError } from './errors.js';
import type { Logs } from './logs.js';
import { type Mode, monitored, resolveLogs, resolveMode, unsetBest } from './monitor.js';
import { type CallbackState, finiteOrNull, type ResumableCallback, stateNumber } from './resumable.js';

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: Mode;
  /** Training stops unless the monitored value beats this. */
  baseline?: number;
  /** On stopping, put back the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** Epochs to train before watching for improvement. */
  startFromEpoch?: number;
  verbose?: number;
}

/**
 * Keras's EarlyStopping (keras/callbacks.py), with a `restoreBestWeights` that works (tfjs-layers 4.22's
 * throws). The best weights are kept as tensor copies, disposed when replaced and when training ends.
 * Its counters can be saved with a checkpoint (`getState`/`setState`), and its best weights beside them
 * (`getBestWeights`/`setBestWeights`), so a resumed run restores the run's best epoch, as one that never
 * stopped would.
 */
export class EarlyStopping extends tfl.Callback implements ResumableCallback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: number;
  private readonly higherIsBetter: boolean;
  wait = 0;
  stoppedEpoch = 0;
  best = 0;
  bestEpoch = 0;
  private bestWeights: tf.Tensor[] | undefined;
  private restored = false;
  private weightsHandedBack = false;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    this.verbose = args.verbose ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new CallbackError(`earlyStopping: patience must be an integer ≥ 0, got ${this.patience}`);
    this.higherIsBetter = resolveMode(args.mode ?? 'auto', this.monitor, 'earlyStopping');
  }

  private isImprovement(value: number, reference: number) {
    return this.higherIsBetter ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  private keepWeights() {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = this.model.getWeights().map((w) => tf.clone(w));
  }

  /** Copies of the best epoch's weights so far, to save with a checkpoint; undefined until there are any. */
  getBestWeights(): tf.Tensor[] | undefined {
    return this.bestWeights?.map((w) => tf.clone(w));
  }

  /** Takes back (copies) the best weights saved with a checkpoint; the next `fit` keeps them, as `setState`'s counters. */
  setBestWeights(weights: readonly tf.Tensor[]): void {
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = weights.map((w) => tf.clone(w));
    this.weightsHandedBack = true;
  }

  getState(): CallbackState {
    return { best: finiteOrNull(this.best), wait: this.wait, bestEpoch: this.bestEpoch };
  }

  setState(state: CallbackState): void {
    const owner = 'earlyStopping';
    this.best = stateNumber(owner, state, 'best', unsetBest(this.higherIsBetter));
    this.wait = stateNumber(owner, state, 'wait', 0, { integer: true });
    this.bestEpoch = stateNumber(owner, state, 'bestEpoch', 0, { integer: true });
    this.restored = true;
  }

  override async onTrainBegin() {
    this.stoppedEpoch = 0;
    if (!this.weightsHandedBack) {
      tf.dispose(this.bestWeights ?? []);
      this.bestWeights = undefined;
    }
    this.weightsHandedBack = false;
    if (this.restored) {
      this.restored = false;
      return;
    }
    this.wait = 0;
    this.best = unsetBest(this.higherIsBetter);
    this.bestEpoch = 0;
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    const resolved = await resolveLogs(logs);
    const current = monitored(resolved, this.monitor);
    if (current === undefined) {
      logLine(
        `earlyStopping: '${this.monitor}' is not in the logs (${Object.keys(resolved ?? {}).join(', ')}); not stopping on it`,
        'warn',
      );
      return;
    }
    if (epoch < this.startFromEpoch) return;
    // As Keras: with no improvement ever, the first watched epoch's weights are the ones restored.
    if (this.restoreBestWeights && !this.bestWeights) this.keepWeights();
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepWeights();
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) {
        if (this.verbose > 0)
          logLine(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
        this.model.setWeights(this.bestWeights);
      }
    }
  }

  override async onTrainEnd() {
    if (this.stoppedEpoch > 0 && this.verbose > 0) logLine(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    tf.dispose(this.bestWeights ?? []);
    this.bestWeights = undefined;
  }
}

export function earlyStopping(args?: EarlyStoppingArgs): EarlyStopping {
  return new EarlyStopping(args);
}

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import type { CallbackState, ResumableCallback } from './resumable.js';
import { stateNumber } from './resumable.js';

export interface WeightsEMAArgs {
  /** After each batch, average = decay * average + (1 - decay) * weights. Default 0.999. */
  decay?: number;
  /**
   * Ramp the decay up as min(decay, (1 + t) / (10 + t)) over the batches t, so the average is not held
   * to the initial weights (timm's and TensorFlow's `num_updates` rule). Default true.
   */
  warmup?: boolean;
  /**
   * When training ends, put the averaged weights into the model and free them (Keras's `use_ema`).
   * Default true; false keeps the average for `swap`/`getWeights` until `dispose()`.
   */
  applyOnTrainEnd?: boolean;
}

/**
 * An exponential moving average of all of a model's weights (BatchNorm statistics included), updated
 * after every batch: Keras's optimizer option `use_ema` as a callback, for any tfjs optimizer and for
 * `@fmnist/backend`'s data-parallel loop. `swap()` exchanges the model's weights and the average (to
 * evaluate the average mid-run, then swap back); `getWeights`/`setWeights` and `getState`/`setState`
 * carry it through a checkpoint.
 */
export class WeightsEMA extends tfl.Callback implements ResumableCallback {
  readonly decay: number;
  readonly warmup: boolean;
  readonly applyOnTrainEnd: boolean;
  /** Batches averaged so far. */
  updates = 0;
  private average: tf.Tensor[] | undefined;

  constructor(args: WeightsEMAArgs = {}) {
    super();
    this.decay = args.decay ?? 0.999;
    this.warmup = args.warmup ?? true;
    this.applyOnTrainEnd = args.applyOnTrainEnd ?? true;
    if (!(this.decay >= 0 && this.decay < 1))
      throw new CallbackError(`weightsEMA: decay must be in [0, 1), got ${this.decay}`);
  }

  override async onTrainBegin() {
    const weights = this.model.getWeights();
    if (this.average) {
      const fits =
        this.average.length === weights.length &&
        this.average.every((a, i) => tf.util.arraysEqual(a.shape, weights[i]!.shape));
      if (!fits)
        throw new CallbackError(
          `weightsEMA: the restored average has ${this.average.length} tensors of other shapes than the model's ${weights.length}`,
        );
    } else this.average = weights.map((w) => tf.keep(tf.clone(w)));
  }

  override async onBatchEnd() {
    if (!this.average) return;
    this.updates += 1;
    const t = this.updates;
    const decay = this.warmup ? Math.min(this.decay, (1 + t) / (10 + t)) : this.decay;
    const previous = this.average;
    const weights = this.model.getWeights();
    this.average = tf.tidy(() =>
      previous.map((a, i) => {
        const w = weights[i]!;
        // Integer weights (none in tfjs layers today) are kept as they are, not averaged.
        return w.dtype === 'float32'
          ? tf.keep(tf.add(tf.mul(a, decay), tf.mul(w, 1 - decay)))
          : tf.keep(tf.clone(w));
      }),
    );
    tf.dispose(previous);
  }

  override async onTrainEnd() {
    if (!this.applyOnTrainEnd || !this.average) return;
    this.model.setWeights(this.average);
    this.dispose();
  }

  /** Frees the average. */
  dispose(): void {
    tf.dispose(this.average ?? []);
    this.average = undefined;
  }

  /** Exchanges the model's weights and the average (call again to exchange them back). */
  swap(): void {
    if (!this.average) throw new CallbackError('weightsEMA.swap: no average yet (training has not begun)');
    const current = this.model.getWeights().map((w) => tf.keep(tf.clone(w)));
    this.model.setWeights(this.average);
    tf.dispose(this.average);
    this.average = current;
  }

  /** Copies of the averaged weights, in `model.getWeights()` order (undefined before training begins). */
  getWeights(): tf.Tensor[] | undefined {
    return this.average?.map((a) => tf.clone(a));
  }

  /** Restores an average saved with `getWeights` (before training resumes); the tensors are copied. */
  setWeights(weights: tf.Tensor[]): void {
    tf.dispose(this.average ?? []);
    this.average = weights.map((w) => tf.keep(tf.clone(w)));
  }

  getState(): CallbackState {
    return { updates: this.updates };
  }

  setState(state: CallbackState): void {
    this.updates = stateNumber('weightsEMA', state, 'updates', 0, { integer: true });
  }
}

export function weightsEMA(args?: WeightsEMAArgs): WeightsEMA {
  return new WeightsEMA(args);
}

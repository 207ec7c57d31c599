import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { logLine } from './console-line.js';
import { CallbackError } from './errors.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';

export interface TerminateOnNaNArgs {
  /**
   * Also check the weights every this many batches; 0 (the default) checks them at each epoch end only.
   * Each check is one reduction over all weights and one number read back.
   */
  checkWeightsEvery?: number;
}

/**
 * Keras's TerminateOnNaN, which stops training at the first batch whose loss is NaN or infinite, and
 * also at the first check that finds a weight NaN or infinite (a NaN input can leave the loss finite
 * while it spoils the weights, as on the WASM backend): at each epoch end, and every
 * `checkWeightsEvery` batches.
 */
export class TerminateOnNaN extends tfl.Callback {
  readonly checkWeightsEvery: number;
  /** Why training was stopped (`batch 3: loss NaN`, `epoch 2: weight dense/kernel holds NaN`); undefined if it was not. */
  reason: string | undefined;
  private batches = 0;

  constructor(args: TerminateOnNaNArgs = {}) {
    super();
    this.checkWeightsEvery = args.checkWeightsEvery ?? 0;
    if (!Number.isInteger(this.checkWeightsEvery) || this.checkWeightsEvery < 0)
      throw new CallbackError(
        `terminateOnNaN: checkWeightsEvery must be an integer ≥ 0, got ${this.checkWeightsEvery}`,
      );
  }

  override async onTrainBegin() {
    this.reason = undefined;
    this.batches = 0;
  }

  override async onBatchEnd(batch: number, unresolved?: Logs) {
    const loss = (await resolveLogs(unresolved)).loss;
    if (typeof loss === 'number' && !Number.isFinite(loss)) return this.stop(`batch ${batch}: loss ${loss}`);
    this.batches++;
    if (this.checkWeightsEvery > 0 && this.batches % this.checkWeightsEvery === 0)
      await this.checkWeights(`batch ${batch}`);
  }

  override async onEpochEnd(epoch: number) {
    if (this.reason === undefined) await this.checkWeights(`epoch ${epoch}`);
  }

  private async checkWeights(where: string) {
    const weights = this.model.weights.map((w) => w.read());
    if (weights.length === 0) return;
    // x * 0 is 0 for every finite x and NaN for NaN and ±Infinity, so the sum is 0 unless a value is not
    // finite, and unlike a plain sum it cannot overflow on large weights.
    const flag = tf.tidy(() => tf.addN(weights.map((w) => tf.sum(tf.mul(w, 0)))));
    const [total] = await flag.data();
    flag.dispose();
    if (total === 0) return;
    for (const [i, w] of weights.entries()) {
      const bad = (await w.data()).find((v) => !Number.isFinite(v));
      if (bad !== undefined) return this.stop(`${where}: weight ${this.model.weights[i]!.name} holds ${bad}`);
    }
  }

  private stop(reason: string) {
    this.reason = reason;
    logLine(`${reason}, terminating training`, 'warn');
    this.model.stopTraining = true;
  }
}

export function terminateOnNaN(args?: TerminateOnNaNArgs): TerminateOnNaN {
  return new TerminateOnNaN(args);
}

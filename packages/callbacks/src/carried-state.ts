import * as tf from '@tensorflow/tfjs-core';
import { EarlyStopping } from './early-stopping.js';
import { CallbackError } from './errors.js';
import { type CallbackState, isResumable, type ResumableCallback } from './resumable.js';
import { WeightsEMA } from './weights-ema.js';

/**
 * The resumable callbacks of a list, in order, with what they hold beside their counters: early
 * stopping's best weights and a weights average go into a checkpoint as tensor lists named by the
 * callback's position (`best-0`, `ema-2`).
 */
export class CarriedState {
  private readonly callbacks: ResumableCallback[];

  constructor(callbacks: readonly unknown[]) {
    this.callbacks = callbacks.filter(isResumable);
  }

  /** Every callback's `getState()`, and copies of their tensors (dispose them after saving). */
  save(): { states: CallbackState[]; tensors: Record<string, tf.Tensor[] | undefined> } {
    const tensors: Record<string, tf.Tensor[] | undefined> = {};
    this.callbacks.forEach((callback, i) => {
      if (callback instanceof EarlyStopping) tensors[`best-${i}`] = callback.getBestWeights();
      if (callback instanceof WeightsEMA) tensors[`ema-${i}`] = callback.getWeights();
    });
    return { states: this.callbacks.map((c) => c.getState()), tensors };
  }

  /**
   * Hands `states` and the tensors `load` finds back to the callbacks, after checking each state has the
   * fields its callback's has (a different list, or one in another order, is an error naming `where`).
   */
  async restore(
    states: CallbackState[],
    load: (name: string) => Promise<tf.Tensor[] | undefined>,
    where: string,
  ): Promise<void> {
    if (states.length !== this.callbacks.length)
      throw new CallbackError(
        `${where}: the backup holds the state of ${states.length} resumable callback${states.length === 1 ? '' : 's'}, the callbacks option has ${this.callbacks.length}`,
      );
    const fields = (state: CallbackState) => Object.keys(state).sort().join(', ');
    this.callbacks.forEach((callback, i) => {
      const [saved, own] = [fields(states[i]!), fields(callback.getState())];
      if (saved !== own)
        throw new CallbackError(`${where}: callback state ${i} has ${saved}; the callback given has ${own}`);
    });
    for (const [i, callback] of this.callbacks.entries()) {
      callback.setState(states[i]!);
      const tensors =
        callback instanceof EarlyStopping || callback instanceof WeightsEMA
          ? await load(`${callback instanceof EarlyStopping ? 'best' : 'ema'}-${i}`)
          : undefined;
      if (!tensors) continue;
      if (callback instanceof EarlyStopping) callback.setBestWeights(tensors);
      else if (callback instanceof WeightsEMA) callback.setWeights(tensors);
      tf.dispose(tensors);
    }
  }
}

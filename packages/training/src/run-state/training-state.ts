import type { EpochTotals } from '../data-parallel/fit.js';

/** JSON-safe counters of a resumable callback (`@fmnist/callbacks`' `CallbackState`): non-finite numbers as null. */
export type CallbackState = Record<string, number | null>;

/** A callback whose counters go into the run's checkpoints, as `@fmnist/callbacks`' stateful ones do. */
export interface ResumableCallback {
  getState(): CallbackState;
  setState(state: CallbackState): void;
}

/** Where a run stands: enough to continue it exactly. */
export interface TrainingState {
  /** Epoch in progress (0-based) and how many of its batches are done. */
  epoch: number;
  batchInEpoch: number;
  globalStep: number;
  /** The augmentation stream's state after the last batch done (its seed for a new run). */
  augmentState: number;
  trainSeconds: number;
  imagesSeen: number;
  /** Loss and accuracy sums of the batches done in `epoch`, so its logs cover the whole epoch. */
  epochTotals?: EpochTotals;
  /** Counters of the stateful callbacks (plateau, early stopping, best checkpoint), by role. */
  callbacks?: Record<string, CallbackState>;
}

/** The state of a run that has not started: its augmentation stream starts at `seed`. */
export function newTrainingState(seed: number): TrainingState {
  return { epoch: 0, batchInEpoch: 0, globalStep: 0, augmentState: seed, trainSeconds: 0, imagesSeen: 0 };
}

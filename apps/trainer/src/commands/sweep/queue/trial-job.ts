import type { SweepSpec } from '@fmnist/training/sweeps';
import type { SweepTrial } from '../sweep-plan.js';

/** A job on the queue: the whole checked sweep (for its metric and pruning rule) and one trial. */
export interface TrialJob {
  sweep: SweepSpec;
  trial: SweepTrial;
}

/** What a worker reports after each epoch, as the job's progress. */
export interface TrialProgress {
  epoch: number;
  epochs: number;
  value: number;
  worker: string;
}

/** One job per trial and sweep: adding it again (a restarted coordinator) finds the same job. */
export const jobId = (sweep: string, trial: string) => `${sweep}__${trial}`;

/**
 * How soon a killed worker's trial goes back on the queue: its lock lapses after `LOCK_MS` (renewed every
 * half of it while the worker lives), and workers look for lapsed locks every `STALLED_INTERVAL_MS`.
 * BullMQ's defaults are 30 s each; the trial's process is apart from the worker's event loop, so
 * renewals are not starved by training and shorter values are safe.
 */
export const LOCK_MS = 6000;
export const STALLED_INTERVAL_MS = 3000;
/** Times a trial may lose its worker before BullMQ fails it (its default, 1, fails the second loss). */
export const MAX_STALLED = 3;

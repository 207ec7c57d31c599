import { SWEEP_METRICS, type SweepMetric } from './sweep-spec.js';

/** How a trial ended: ran all its epochs, stopped by the pruning rule, or failed every attempt. */
export type TrialStatus = 'complete' | 'pruned' | 'failed';

/** What a sweep records of a finished trial (JSON, one file per trial in the store). */
export interface TrialResult {
  id: string;
  status: TrialStatus;
  values: Record<string, unknown>;
  seed: number;
  /** The metric after each epoch run. */
  curve: number[];
  /** The metric after the last epoch run (NaN when none ran). */
  metric: number;
  /** Test accuracy of the finished model (complete trials). */
  testAccuracy?: number;
  /** The run folder, relative to the sweep's folder. */
  runDir: string;
  /** Why it was pruned, or the failed attempt's error. */
  reason?: string;
  /** Attempts it took; more than one means it was retried (after a crash or a lost worker). */
  attempts: number;
  seconds: number;
}

/**
 * Trials best first: complete ones by their final metric, then pruned ones by theirs, then failed ones;
 * ties keep trial order.
 */
export function rankTrials<T extends Pick<TrialResult, 'status' | 'metric' | 'id'>>(
  results: T[],
  metric: SweepMetric,
): T[] {
  const order: Record<TrialStatus, number> = { complete: 0, pruned: 1, failed: 2 };
  const sign = SWEEP_METRICS[metric] === 'max' ? -1 : 1;
  const key = (r: T) => (Number.isFinite(r.metric) ? sign * r.metric : Number.POSITIVE_INFINITY);
  return [...results].sort(
    (a, b) => order[a.status] - order[b.status] || key(a) - key(b) || a.id.localeCompare(b.id),
  );
}

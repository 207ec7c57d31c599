import type { PruningRule, SweepMetric } from './sweep-spec.js';
import { SWEEP_METRICS } from './sweep-spec.js';

/** Another trial's metric after each epoch it has finished, and whether it ran to its last epoch. */
export interface TrialCurve {
  values: number[];
  complete: boolean;
}

export interface PruneDecision {
  prune: boolean;
  /** Why, in words, for the trial's record. */
  reason?: string;
}

/**
 * Whether a trial whose metric after each epoch so far is `own` should stop now, given the other trials'
 * curves (read from the store, so any machine decides the same from the same files). `asha` is the
 * stopping form of asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
 * Hyperparameter Tuning"; Optuna's SuccessiveHalvingPruner): at rung epochs `minEpochs · η^k` a trial must
 * be among the best `max(1, ⌊n/η⌋)` of the n trials that reached that epoch, itself included. `median` is
 * Optuna's MedianPruner: after `warmupEpochs`, stop when the best value so far is worse than the median
 * of the finished trials' values at this epoch, once at least `minTrials` of them reached it.
 */
export function shouldPrune(
  rule: PruningRule,
  metric: SweepMetric,
  own: number[],
  others: TrialCurve[],
): PruneDecision {
  const epoch = own.length;
  if (epoch === 0 || rule.rule === 'none') return { prune: false };
  const better =
    SWEEP_METRICS[metric] === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  const value = own[epoch - 1]!;
  if (rule.rule === 'asha') {
    if (!isRung(epoch, rule.minEpochs, rule.reductionFactor)) return { prune: false };
    const atRung = [
      value,
      ...others.filter((o) => o.values.length >= epoch).map((o) => o.values[epoch - 1]!),
    ];
    const keep = Math.max(1, Math.floor(atRung.length / rule.reductionFactor));
    const sorted = atRung.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    const cutoff = sorted[keep - 1]!;
    return better(cutoff, value)
      ? {
          prune: true,
          reason: `asha: ${metric} ${value} at epoch ${epoch} outside the top ${keep} of ${atRung.length}`,
        }
      : { prune: false };
  }
  if (epoch <= rule.warmupEpochs) return { prune: false };
  const finished = others
    .filter((o) => o.complete && o.values.length >= epoch)
    .map((o) => o.values[epoch - 1]!);
  if (finished.length < rule.minTrials) return { prune: false };
  const median = medianOf(finished);
  const best = own.reduce((a, b) => (better(b, a) ? b : a));
  return better(median, best)
    ? {
        prune: true,
        reason: `median: best ${metric} ${best} by epoch ${epoch} worse than the median ${median} of ${finished.length} finished trials`,
      }
    : { prune: false };
}

/** Whether `epoch` is a rung: `minEpochs · η^k` for some k ≥ 0. */
function isRung(epoch: number, minEpochs: number, eta: number): boolean {
  for (let rung = minEpochs; rung <= epoch; rung *= eta) if (rung === epoch) return true;
  return false;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

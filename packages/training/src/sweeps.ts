// Hyperparameter sweeps as plain data, in browsers and Node alike: the sweep file's checker, its trials,
// the pruning rules and the ranking. Running trials (processes, queues) is the caller's business.
export { applyOverrides, expandTrials, type TrialPlan } from './sweeps/expand-trials.js';
export { type PruneDecision, shouldPrune, type TrialCurve } from './sweeps/pruning.js';
export { rankTrials, type TrialResult, type TrialStatus } from './sweeps/rank-trials.js';
export {
  type ParameterSpace,
  type ParameterValue,
  type PruningRule,
  parseSweepSpec,
  SWEEP_METRICS,
  type SweepMetric,
  type SweepSpec,
} from './sweeps/sweep-spec.js';

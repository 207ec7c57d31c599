// Node only: data-parallel training on worker threads, and a run's checkpoints in its folder.
export {
  type EpochTotals,
  type FitOptions,
  type FitResult,
  fitDataParallel,
  type TrainingBatch,
} from './data-parallel/fit.js';
export {
  type DataParallelOptions,
  DataParallelTrainer,
  type StepResult,
  shardSizes,
} from './data-parallel/trainer.js';
export { runCheckpointStore } from './run-state/run-checkpoint-store.js';

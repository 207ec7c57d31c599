// Node only: data-parallel training on worker threads.
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

// Works in browsers and Node alike: the losses and a run's state and checkpoints in any @fmnist/io store.
// Data-parallel training is in ./node (worker threads) and ./browser (Web Workers); recipes turned into models and batches in ./recipes.
export type { EpochTotals, TrainingBatch } from './data-parallel/fit.js';
export { TrainingError } from './errors.js';
export { withFusedTrainingLayers } from './fused-layers/with-fused-training-layers.js';
export {
  correctPredictions,
  LOSS_TYPES,
  type LossSpec,
  type LossType,
  lossFunction,
  resolveLoss,
} from './losses.js';
export {
  hasRunCheckpoint,
  loadRunCheckpoint,
  type ResumedRun,
  RUN_CHECKPOINTS,
  type RunTensors,
  saveRunCheckpoint,
} from './run-state/run-checkpoints.js';
export { RunProgress, type RunProgressOptions } from './run-state/run-progress.js';
export type { CallbackState, ResumableCallback, TrainingState } from './run-state/training-state.js';

// Node only: data-parallel training on worker threads, and a run's checkpoints in its folder.
export {
  type EpochTotals,
  type FitOptions,
  type FitResult,
  fitDataParallel,
  type TrainingBatch,
} from './data-parallel/fit.js';
export { DataParallelTrainer } from './data-parallel/node-trainer.js';
export { nodeWorkerTransport } from './data-parallel/node-transport.js';
export type { ReplicaInfo } from './data-parallel/replica-pool.js';
export {
  type DataParallelInfo,
  type DataParallelOptions,
  type StepResult,
  shardSizes,
} from './data-parallel/trainer.js';
export type { ReplicaListeners, ReplicaWorker, WorkerTransport } from './data-parallel/transport.js';
export { runCheckpointStore } from './run-state/run-checkpoint-store.js';

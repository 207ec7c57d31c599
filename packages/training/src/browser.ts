// Browsers: data-parallel training on Web Workers, the same trainer, protocol and fit loop as ./node.

export { type BrowserDataParallelOptions, DataParallelTrainer } from './data-parallel/browser-trainer.js';
export { type WebWorkerTransportOptions, webWorkerTransport } from './data-parallel/browser-transport.js';
export {
  type EpochTotals,
  type FitOptions,
  type FitResult,
  fitDataParallel,
  type TrainingBatch,
} from './data-parallel/fit.js';
export type { ReplicaInfo } from './data-parallel/replica-pool.js';
export {
  type DataParallelInfo,
  type DataParallelOptions,
  type StepResult,
  shardSizes,
} from './data-parallel/trainer.js';
export type { ReplicaListeners, ReplicaWorker, WorkerTransport } from './data-parallel/transport.js';

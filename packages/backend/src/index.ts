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
export { BackendError } from './errors.js';
export {
  correctPredictions,
  LOSS_TYPES,
  type LossSpec,
  type LossType,
  lossFunction,
  resolveLoss,
} from './losses.js';
export {
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  type UseBestBackendOptions,
  useBestBackend,
} from './select-backend.js';
export {
  SIMD_KERNELS_ENV,
  type SimdKernelBuild,
  type SimdKernelChoice,
  setSimdKernelBuild,
  simdKernelChoice,
} from './simd-kernels/engine.js';
export { registerWasmTrainingKernels } from './wasm-training/register.js';

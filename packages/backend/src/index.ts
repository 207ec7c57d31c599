// Works in browsers and Node alike: backend choice, the WASM training kernels, losses. Data-parallel
// training on worker threads is in ./node.
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

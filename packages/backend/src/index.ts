// Works in browsers and Node alike: backend choice and the WASM training kernels. Training loops and
// losses are in @fmnist/training.
export { BackendError } from './errors.js';
export { ADAMW_KERNEL } from './kernels/fmnist-adamw.js';
export {
  batchNormMoments,
  batchNormRelu,
  batchNormTrainingGradient,
} from './kernels/fmnist-batch-norm-training.js';
export { dropoutMask } from './kernels/fmnist-dropout-mask.js';
export { registerWasmTrainingKernels } from './register-all-kernels.js';
export {
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  type UseBestBackendOptions,
  useBestBackend,
} from './select-backend.js';
export {
  compileSimdKernels,
  SIMD_KERNELS_ENV,
  type SimdKernelBuild,
  type SimdKernelChoice,
  setSimdKernelBuild,
  simdKernelChoice,
} from './simd/engine.js';
export {
  setWinogradPolicy,
  WINOGRAD_ENV,
  type WinogradPolicy,
  winogradPolicy,
} from './simd/winograd.js';

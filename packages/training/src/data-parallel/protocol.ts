import type { BackendName, SimdKernelBuild, SimdKernelChoice } from '@fmnist/backend';
import type { LossSpec } from '../losses.js';

export interface InitMessage {
  type: 'init';
  /** `model.toJSON()` of the replica's architecture. */
  topology: string;
  backend: BackendName;
  loss: LossSpec;
  /** Modules to import first (they may register custom layers). */
  setupModules: string[];
  /** Where tfjs-backend-wasm's `.wasm` files are (`setWasmPaths`); absent: tfjs's default. */
  wasmPaths?: string | Record<string, string>;
  /** A build of the conv kernels to force (`setSimdKernelBuild`); absent: the best the engine runs. */
  kernelBuild?: SimdKernelBuild;
}

export interface StepMessage {
  type: 'step';
  id: number;
  /** Every weight of the model (trainable or not), in `model.weights` order. */
  weights: Float32Array[];
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
  /** Seed of this shard's dropout masks (absent: tfjs's unseeded dropout). */
  seed?: number;
}

export interface EvaluateMessage {
  type: 'evaluate';
  id: number;
  /** Every weight of the model, in `model.weights` order. */
  weights: Float32Array[];
  x: Float32Array;
  xShape: number[];
  y: Float32Array;
  yShape: number[];
  /** Samples per forward pass. */
  batchSize: number;
}

export type ToWorker = InitMessage | StepMessage | EvaluateMessage | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; backend: BackendName; kernels?: SimdKernelChoice }
  | { type: 'result'; id: number; grads: Float32Array[]; loss: number; correct: number; count: number }
  | { type: 'evaluated'; id: number; lossSum: number; correct: number }
  | { type: 'error'; id?: number; message: string };

import type { BackendName } from '@fmnist/backend';
import type { LossSpec } from '../losses.js';

export interface InitMessage {
  type: 'init';
  /** `model.toJSON()` of the replica's architecture. */
  topology: string;
  backend: BackendName;
  loss: LossSpec;
  /** Modules to import first (they may register custom layers). */
  setupModules: string[];
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

export type ToWorker = InitMessage | StepMessage | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; grads: Float32Array[]; loss: number; correct: number; count: number }
  | { type: 'error'; id?: number; message: string };

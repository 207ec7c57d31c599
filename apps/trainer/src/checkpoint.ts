import type { EpochTotals } from '@fmnist/backend';
import {
  type CallbackState,
  loadCheckpoint as load,
  loadCheckpointTensors,
  saveCheckpoint as save,
} from '@fmnist/callbacks';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Where a run stands: enough to continue it exactly. */
export interface TrainingState {
  /** Epoch in progress (0-based) and how many of its batches are done. */
  epoch: number;
  batchInEpoch: number;
  globalStep: number;
  augmentState: number;
  trainSeconds: number;
  imagesSeen: number;
  /** Loss and accuracy sums of the batches done in `epoch`, so its logs cover the whole epoch. */
  epochTotals?: EpochTotals;
  /** Counters of the stateful callbacks (plateau, early stopping, best checkpoint), by role. */
  callbacks?: Record<string, CallbackState>;
}

/** Model, optimizer state, training state and the weights average if any, as one atomic directory swap. */
export function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  state: TrainingState,
  average?: tf.Tensor[],
): Promise<void> {
  return save(dir, model, { state, tensors: average ? { ema: average } : undefined });
}

/** The weights average saved with the checkpoint, if the run keeps one. */
export function loadAverage(dir: string): Promise<tf.Tensor[] | undefined> {
  return loadCheckpointTensors(dir, 'ema');
}

export async function loadCheckpoint(dir: string, model: tfl.LayersModel): Promise<TrainingState> {
  const state = await load<TrainingState>(dir, model);
  if (!state) throw new Error(`${dir}: checkpoint has no training state`);
  return state;
}

import type { EpochTotals } from '@fmnist/backend';
import { type CallbackState, loadCheckpoint as load, saveCheckpoint as save } from '@fmnist/callbacks';
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

/** Model, optimizer state and training state in `dir`, as one atomic directory swap. */
export function saveCheckpoint(dir: string, model: tfl.LayersModel, state: TrainingState): Promise<void> {
  return save(dir, model, { state });
}

export async function loadCheckpoint(dir: string, model: tfl.LayersModel): Promise<TrainingState> {
  const state = await load<TrainingState>(dir, model);
  if (!state) throw new Error(`${dir}: checkpoint has no training state`);
  return state;
}

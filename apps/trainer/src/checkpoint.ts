import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CallbackError, type CallbackState } from '@fmnist/callbacks';
import {
  loadCheckpoint as load,
  loadCheckpointTensors,
  saveCheckpoint as save,
} from '@fmnist/callbacks/node';
import { directoryLoadHandler } from '@fmnist/io/node';
import type { EpochTotals } from '@fmnist/training/node';
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

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

/** The checkpoint before `last`, beside it: what a resume falls back to when `last` is damaged. */
function previousOf(lastDir: string): string {
  return join(dirname(lastDir), 'previous');
}

/** Weights kept beside a checkpoint's model: the weights average, early stopping's best epoch. */
export type CheckpointTensors = {
  ema?: tf.Tensor[];
  /** Early stopping's best weights (its `restoreBestWeights`). */
  best?: tf.Tensor[];
};

/**
 * Model, optimizer state, training state and the tensors beside them, as one atomic directory swap
 * (with SHA-256 checksums); the checkpoint it replaces is kept as `previous`.
 */
export async function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  state: TrainingState,
  tensors: CheckpointTensors = {},
): Promise<void> {
  if (existsSync(join(dir, 'state.json'))) {
    const previous = previousOf(dir);
    await rm(previous, { recursive: true, force: true });
    await rename(dir, previous);
  }
  await save(dir, model, { state, tensors });
}

/** One of the tensor lists saved with the checkpoint, if it has it. */
export function loadCheckpointExtra(
  dir: string,
  name: keyof CheckpointTensors,
): Promise<tf.Tensor[] | undefined> {
  return loadCheckpointTensors(dir, name);
}

/**
 * Early stopping's best weights for a resumed run: those saved with its checkpoint, or, from a checkpoint
 * made before they were saved there, the `checkpoints/best` model when it is the same best (both watch
 * the same value).
 */
export async function bestWeightsOnResume(
  resumedFrom: string,
  out: string,
  state: TrainingState,
): Promise<tf.Tensor[] | undefined> {
  const saved = await loadCheckpointExtra(resumedFrom, 'best');
  if (saved) return saved;
  const { earlyStopping, bestCheckpoint } = state.callbacks ?? {};
  const bestDir = join(out, 'checkpoints', 'best');
  if (earlyStopping?.best === undefined || earlyStopping.best !== bestCheckpoint?.best) return undefined;
  if (!existsSync(join(bestDir, 'model.json'))) return undefined;
  const model = await tfl.loadLayersModel(directoryLoadHandler(bestDir));
  const weights = model.getWeights().map((w) => w.clone());
  model.dispose();
  return weights;
}

async function loadOne(dir: string, model: tfl.LayersModel): Promise<TrainingState> {
  const state = await load<TrainingState>(dir, model);
  if (!state) throw new CallbackError(`${dir}: checkpoint has no training state`);
  return state;
}

/**
 * The newest good checkpoint of a run: `last`, or `previous` when `last` is damaged or missing (says
 * which file was wrong). Throws the `CallbackError` of `last` when neither loads.
 */
export async function loadCheckpoint(
  lastDir: string,
  model: tfl.LayersModel,
  warn: (line: string) => void = (line) => console.error(line),
): Promise<{ state: TrainingState; dir: string }> {
  let failure: unknown;
  for (const dir of [lastDir, previousOf(lastDir)]) {
    if (!existsSync(join(dir, 'state.json')) && !existsSync(join(`${dir}.old`, 'state.json'))) continue;
    try {
      return { state: await loadOne(dir, model), dir };
    } catch (error) {
      if (!(error instanceof CallbackError)) throw error;
      failure ??= error;
      warn(`fmnist-train: ${error.message}; trying the checkpoint before it`);
    }
  }
  throw failure ?? new CallbackError(`${lastDir}: no checkpoint`);
}

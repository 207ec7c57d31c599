import {
  type CheckpointStore,
  type IoError,
  loadCheckpointTensors,
  loadNewest,
  STATE_FILE,
  saveRotating,
  verifyCheckpoint,
} from '@fmnist/io';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import type { TrainingState } from './training-state.js';

/**
 * A run's checkpoints in its store: `last` (each save moves the one before to `previous`, which a resume
 * falls back to when `last` is damaged) and `best`, where a run keeps its best model (`modelCheckpoint`
 * of `@fmnist/callbacks` with `saveBestOnly`, its counters under the role `bestCheckpoint`).
 */
export const RUN_CHECKPOINTS = { last: 'last', previous: 'previous', best: 'best' } as const;

/** The rotation `saveRotating` and `loadNewest` keep. */
const ROTATION = { last: RUN_CHECKPOINTS.last, previous: RUN_CHECKPOINTS.previous };

/** Tensor lists saved beside a run's weights, by name (a weights average, early stopping's best weights). */
export type RunTensors = Record<string, tf.Tensor[] | undefined>;

/** What a resume loaded: the checkpoint's name in the store, its state and, if `last` was passed over, why. */
export interface ResumedRun {
  name: string;
  state: TrainingState;
  /** The `IoError` of a damaged `last` (its message names the file) when `previous` was loaded instead. */
  damaged?: IoError;
}

/** Whether `store` holds a checkpoint of a run to resume. */
export async function hasRunCheckpoint(store: CheckpointStore): Promise<boolean> {
  return (await store.has(RUN_CHECKPOINTS.last)) || (await store.has(RUN_CHECKPOINTS.previous));
}

/** Saves the run's checkpoint `last` (model, optimizer, `state`, `tensors`), keeping the one before as `previous`. */
export async function saveRunCheckpoint(
  store: CheckpointStore,
  model: tfl.LayersModel,
  state: TrainingState,
  tensors: RunTensors = {},
): Promise<void> {
  await saveRotating(store, model, { state, tensors, ...ROTATION });
}

/**
 * Loads the run's newest good checkpoint into `model` and its optimizer: `last`, or `previous` when `last`
 * is damaged or missing (`damaged` says why). Neither loading is `last`'s `IoError`, which names the file.
 */
export async function loadRunCheckpoint(store: CheckpointStore, model: tfl.LayersModel): Promise<ResumedRun> {
  const loaded = await loadNewest<TrainingState>(store, model, ROTATION);
  if (!loaded) throw new TrainingError(`${store.describe(RUN_CHECKPOINTS.last)}: no checkpoint`);
  const { name, state, damaged } = loaded;
  if (!state)
    throw new TrainingError(
      `${store.describe(name, STATE_FILE)}: missing; the checkpoint holds no training state`,
    );
  return damaged ? { name, state, damaged } : { name, state };
}

/** Tensor list `list` saved with checkpoint `name`, if it has it. */
export function runTensors(
  store: CheckpointStore,
  name: string,
  list: string,
): Promise<tf.Tensor[] | undefined> {
  return loadCheckpointTensors(store, name, list);
}

/**
 * Early stopping's best weights for a run resumed from checkpoint `name`: those saved with it (list `best`),
 * or, from a checkpoint made before they were saved there, the `best` checkpoint's weights when it is the
 * same best (both watch the same value).
 */
export async function bestWeightsOnResume(
  store: CheckpointStore,
  name: string,
  state: TrainingState,
): Promise<tf.Tensor[] | undefined> {
  const saved = await runTensors(store, name, 'best');
  if (saved) return saved;
  const { earlyStopping, bestCheckpoint } = state.callbacks ?? {};
  if (earlyStopping?.best === undefined || earlyStopping.best !== bestCheckpoint?.best) return undefined;
  return checkpointWeights(store, RUN_CHECKPOINTS.best);
}

/** The weights of checkpoint `name` (the tfjs layers format it holds), read without a model; undefined if none. */
async function checkpointWeights(store: CheckpointStore, name: string): Promise<tf.Tensor[] | undefined> {
  if (!(await store.has(name))) return undefined;
  await verifyCheckpoint(store, name);
  const files = await store.read(name);
  const modelJson = files?.['model.json'];
  if (!files || !modelJson) return undefined;
  const json = JSON.parse(new TextDecoder().decode(modelJson)) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (groups) => {
    const paths = groups.flatMap((group) => group.paths.map((path) => path.replace(/^\.\//, '')));
    const missing = paths.find((path) => !files[path]);
    if (missing) throw new TrainingError(`${store.describe(name, missing)}: missing, named in model.json`);
    const parts = paths.map((path) => files[path]!);
    return [groups.flatMap((group) => group.weights), tf.io.concatenateArrayBuffers(parts.map(copyBuffer))];
  });
  const saved = await tfl.loadLayersModel({ load: async () => artifacts });
  const weights = saved.getWeights().map((w) => w.clone());
  saved.dispose();
  return weights;
}

function copyBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer;
}

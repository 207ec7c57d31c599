import type * as tfl from '@tensorflow/tfjs-layers';
import { loadCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { encodeCheckpoint, type SaveCheckpointOptions } from './encode-checkpoint.js';
import { IoError } from './errors.js';

/** The two checkpoints of a rotation: the newest and the one it replaced. */
export interface RotationNames {
  /** Default `'last'`. */
  last?: string;
  /** Default `'previous'`. */
  previous?: string;
}

const namesOf = (names: RotationNames) => ({
  last: names.last ?? 'last',
  previous: names.previous ?? 'previous',
});

/**
 * Saves `model` as checkpoint `last`, keeping the one it replaces as `previous`, for `loadNewest` to fall
 * back to when `last` turns out damaged.
 */
export async function saveRotating(
  store: CheckpointStore,
  model: tfl.LayersModel,
  options: SaveCheckpointOptions & RotationNames = {},
): Promise<void> {
  const { last, previous } = namesOf(options);
  const files = await encodeCheckpoint(model, options);
  if (await store.has(last)) await store.move(last, previous);
  await writeCheckpoint(store, last, files);
}

/** What `loadNewest` loaded. */
export interface LoadedCheckpoint<S> {
  /** The checkpoint loaded: `last`, or `previous` when `last` was damaged or missing. */
  name: string;
  state: S | undefined;
  /** Why `last` was passed over, when it was there but damaged; the message names the file. */
  damaged?: IoError;
}

/**
 * Loads the newest good checkpoint of a rotation into `model`: `last`, or `previous` when `last` is
 * missing or fails to load with an `IoError` (returned as `damaged`). Throws `last`'s error when neither
 * loads; undefined when the store holds neither.
 */
export async function loadNewest<S = unknown>(
  store: CheckpointStore,
  model: tfl.LayersModel,
  names: RotationNames = {},
): Promise<LoadedCheckpoint<S> | undefined> {
  let damaged: IoError | undefined;
  for (const name of Object.values(namesOf(names))) {
    if (!(await store.has(name))) continue;
    try {
      const state = await loadCheckpoint<S>(store, name, model);
      return damaged ? { name, state, damaged } : { name, state };
    } catch (error) {
      if (!(error instanceof IoError)) throw error;
      damaged ??= error;
    }
  }
  if (damaged) throw damaged;
  return undefined;
}

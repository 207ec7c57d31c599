import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { verifyFiles } from './checkpoint-integrity.js';
import type { CheckpointFiles, CheckpointStore } from './checkpoint-store.js';
import { encodeCheckpoint, type SaveCheckpointOptions } from './encode-checkpoint.js';
import { IoError } from './errors.js';
import { checkpointTensors, restoreCheckpoint, type Where } from './restore-checkpoint.js';

/**
 * Saves `model` (tfjs layers format, optimizer state, `state` and the `tensors` lists, with their
 * SHA-256) as checkpoint `name` of `store`, all or nothing: a crash mid-save leaves the previous
 * checkpoint whole. A store that cannot write is an `IoError` naming where, with its error as `cause`.
 */
export async function saveCheckpoint(
  store: CheckpointStore,
  name: string,
  model: tfl.LayersModel,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  await writeCheckpoint(store, name, await encodeCheckpoint(model, options));
}

/** Writes encoded files as checkpoint `name`; the store's failure becomes an IoError naming it. */
export async function writeCheckpoint(store: CheckpointStore, name: string, files: CheckpointFiles) {
  try {
    await store.write(name, files);
  } catch (error) {
    if (error instanceof IoError) throw error;
    throw new IoError(`saveCheckpoint: cannot write the checkpoint ${store.describe(name)}`, {
      cause: error,
    });
  }
}

/**
 * Loads checkpoint `name` of `store`: its weights into `model`, its optimizer state and learning rate
 * into `model.optimizer` (which must be of the same class); returns the saved `state`. Every file is
 * checked against the checkpoint's SHA-256 list first: a damaged or missing one is an `IoError` naming
 * it, and nothing is loaded. No checkpoint `name` is an `IoError` too.
 */
export async function loadCheckpoint<S = unknown>(
  store: CheckpointStore,
  name: string,
  model: tfl.LayersModel,
): Promise<S | undefined> {
  const files = await readVerified(store, name);
  return restoreCheckpoint<S>(files, model, whereIn(store, name));
}

/** A tensor list saved with `saveCheckpoint(…, { tensors: { [list]: [...] } })`, in order; undefined if none. */
export async function loadCheckpointTensors(
  store: CheckpointStore,
  name: string,
  list: string,
): Promise<tf.Tensor[] | undefined> {
  const files = await readVerified(store, name);
  return checkpointTensors(files, list, whereIn(store, name));
}

/** Checks checkpoint `name`'s files against its SHA-256 list: an `IoError` names the first damaged or missing one. */
export async function verifyCheckpoint(store: CheckpointStore, name: string): Promise<void> {
  await readVerified(store, name);
}

const whereIn =
  (store: CheckpointStore, name: string): Where =>
  (file) =>
    store.describe(name, file);

async function readVerified(store: CheckpointStore, name: string): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> | undefined;
  try {
    files = await store.read(name);
  } catch (error) {
    if (error instanceof IoError) throw error;
    throw new IoError(`${store.describe(name)}: cannot read the checkpoint`, { cause: error });
  }
  if (files === undefined) throw new IoError(`${store.describe(name)}: no checkpoint`);
  await verifyFiles(files, whereIn(store, name));
  return files;
}

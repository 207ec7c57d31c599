import { basename, dirname } from 'node:path';
import * as io from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkpointStep } from './checkpoint-step.js';

// Checkpoints before `@fmnist/io` owned them, as thin wrappers over it for one release: folder `dir` is
// checkpoint `basename(dir)` of a file-system store at `dirname(dir)`, the same files on disk.

const inFolder = (dir: string) => ({ store: fileSystemCheckpointStore(dirname(dir)), name: basename(dir) });

/** @deprecated Use `SaveCheckpointOptions` from `@fmnist/io`. */
export type SaveCheckpointOptions = io.SaveCheckpointOptions;

/** @deprecated Use `CHECKSUMS_FILE` from `@fmnist/io`. */
export const CHECKSUMS_FILE = io.CHECKSUMS_FILE;

/**
 * Saves `model` into folder `dir` as one atomic folder swap (a crash mid-save leaves the previous
 * checkpoint whole). A `CallbackError` wraps `@fmnist/io`'s `IoError` as `cause`.
 * @deprecated Use `saveCheckpoint(fileSystemCheckpointStore(parent), name, model, options)` from `@fmnist/io`.
 */
export function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  return checkpointStep(async () => {
    const { store, name } = inFolder(dir);
    await io.saveCheckpoint(store, name, model, options);
  });
}

/**
 * Loads folder `dir`'s checkpoint into `model` and its optimizer; returns the saved `state`. A damaged
 * or missing file is a `CallbackError` naming it (`@fmnist/io`'s `IoError` as `cause`), and nothing is loaded.
 * @deprecated Use `loadCheckpoint(fileSystemCheckpointStore(parent), name, model)` from `@fmnist/io`.
 */
export function loadCheckpoint<S = unknown>(dir: string, model: tfl.LayersModel): Promise<S | undefined> {
  return checkpointStep(async () => {
    const { store, name } = inFolder(dir);
    return io.loadCheckpoint<S>(store, name, model);
  });
}

/**
 * Tensors saved with `saveCheckpoint(dir, model, { tensors: { [name]: [...] } })`, in order; undefined if none.
 * @deprecated Use `loadCheckpointTensors(fileSystemCheckpointStore(parent), name, list)` from `@fmnist/io`.
 */
export function loadCheckpointTensors(dir: string, list: string): Promise<tf.Tensor[] | undefined> {
  return checkpointStep(async () => {
    const { store, name } = inFolder(dir);
    return io.loadCheckpointTensors(store, name, list);
  });
}

/**
 * Checks every file folder `dir`'s checkpoint lists against its SHA-256: a `CallbackError` names the first
 * damaged or missing one. A folder without a checkpoint passes, as before.
 * @deprecated Use `verifyCheckpoint(fileSystemCheckpointStore(parent), name)` from `@fmnist/io`.
 */
export function verifyCheckpoint(dir: string): Promise<void> {
  return checkpointStep(async () => {
    const { store, name } = inFolder(dir);
    if (await store.has(name)) await io.verifyCheckpoint(store, name);
  });
}

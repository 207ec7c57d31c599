import * as tf from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

// A checkpoint's files beside the tfjs layers format's `model.json` and `weights.bin`.

/** `optimizer.bin` and `optimizer.json`: the optimizer's state. */
export const OPTIMIZER = 'optimizer';
/** The file holding the JSON given as `state` to `saveCheckpoint`, for messages about it. */
export const STATE_FILE = 'state.json';
/** Names a tensor list cannot take: the checkpoint's own files. */
export const RESERVED_LIST_NAMES: readonly string[] = [OPTIMIZER, 'weights', 'model', 'state'];
/** A tensor list's name, used as its file names: `<name>.bin`, `<name>.json`. */
export const LIST_NAME = /^[a-z][a-z0-9-]*$/;

/** `optimizer.json`: `specs` of what the optimizer's setWeights takes; `fields`, its private scalars after them. */
export interface OptimizerFile {
  className: string;
  learningRate?: number;
  specs: tf.io.WeightsManifestEntry[];
  fields?: tf.io.WeightsManifestEntry[];
}

/** The tensors' values for a `<name>.bin`, and their specs for its `<name>.json`. */
export async function encodeTensors(
  tensors: { name: string; tensor: tf.Tensor }[],
): Promise<{ bin: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  const encoded = await tf.io.encodeWeights(tensors);
  return { bin: new Uint8Array(encoded.data as ArrayBuffer), specs: encoded.specs };
}

/** The tensors of `<name>.bin`, decoded with `specs` (from its `<name>.json`). */
export function decodeTensors(
  files: Readonly<Record<string, Uint8Array>>,
  name: string,
  specs: tf.io.WeightsManifestEntry[],
  where: (file: string) => string,
): tf.NamedTensorMap {
  const data = files[`${name}.bin`];
  if (data === undefined) throw new IoError(`${where(`${name}.bin`)}: missing from the checkpoint`);
  try {
    return tf.io.decodeWeights(data.slice().buffer, specs);
  } catch (error) {
    throw new IoError(`${where(`${name}.bin`)}: does not hold the tensors ${name}.json lists`, {
      cause: error,
    });
  }
}

/** The JSON of `file`, or undefined when the checkpoint has no such file. */
export function readJson<T>(
  files: Readonly<Record<string, Uint8Array>>,
  file: string,
  where: (file: string) => string,
): T | undefined {
  const bytes = files[file];
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw new IoError(`${where(file)}: not JSON`, { cause: error });
  }
}

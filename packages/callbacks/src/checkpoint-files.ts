import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { modelArtifactsToFiles } from '@fmnist/io';
import { directoryLoadHandler, resolveSavedDirectory, writeDirectoryAtomic } from '@fmnist/io/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { verifyCheckpoint, withChecksums } from './checkpoint-integrity.js';
import { CallbackError } from './errors.js';
import { fileStep } from './file-step.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import { readOptimizerState, writeOptimizerState } from './optimizer-state.js';

const OPTIMIZER = 'optimizer';
const EXTRA_STATE = 'state.json';

/** `optimizer.json`: `specs` of what the optimizer's setWeights takes; `fields`, its private scalars after them. */
interface OptimizerFile {
  className: string;
  learningRate?: number;
  specs: tf.io.WeightsManifestEntry[];
  fields?: tf.io.WeightsManifestEntry[];
}

export interface SaveCheckpointOptions {
  /**
   * Also save the optimizer's state (moments, iteration and learning rate, which callbacks such as
   * ReduceLROnPlateau change), so training resumes exactly. Default true.
   */
  includeOptimizer?: boolean;
  /** Any JSON to keep beside the weights (epoch, RNG states, ...), read back by `loadCheckpoint`. */
  state?: unknown;
  /**
   * More tensors by name (e.g. a weights average), read back by `loadCheckpointTensors(dir, name)`; a name
   * whose list is undefined is not saved.
   */
  tensors?: Record<string, tf.Tensor[] | undefined>;
}

/**
 * Saves `model` into `dir` (tfjs layers format, plus optimizer state and `state`) as one atomic
 * directory swap: a crash mid-save leaves the previous checkpoint whole.
 */
export async function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const files = modelArtifactsToFiles(artifacts!);
  if ((options.includeOptimizer ?? true) && model.optimizer) {
    const { weights, scalars } = await readOptimizerState(model.optimizer);
    // One binary, weights first: `specs` covers what setWeights takes, `fields` the private scalars after it.
    const encoded = await tensorFiles(OPTIMIZER, [...weights, ...scalars]);
    const { specs } = JSON.parse(encoded[`${OPTIMIZER}.json`] as string) as OptimizerFile;
    files[`${OPTIMIZER}.bin`] = encoded[`${OPTIMIZER}.bin`]!;
    files[`${OPTIMIZER}.json`] = JSON.stringify({
      className: model.optimizer.getClassName(),
      learningRate: learningRateOf(model.optimizer),
      specs: specs.slice(0, weights.length),
      fields: specs.slice(weights.length),
    } satisfies OptimizerFile);
    tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  }
  if (options.state !== undefined) files[EXTRA_STATE] = JSON.stringify(options.state, null, 2);
  for (const [name, tensors] of Object.entries(options.tensors ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new CallbackError(
        `saveCheckpoint: tensors name '${name}' must be lowercase letters, digits and dashes`,
      );
    if ([OPTIMIZER, 'weights', 'model', 'state'].includes(name))
      throw new CallbackError(
        `saveCheckpoint: tensors name '${name}' is taken by the checkpoint's own files`,
      );
    if (tensors === undefined) continue;
    const named = tensors.map((tensor, i) => ({ name: String(i), tensor }));
    Object.assign(files, await tensorFiles(name, named));
  }
  await fileStep(`saveCheckpoint: cannot write the checkpoint ${dir}`, () =>
    writeDirectoryAtomic(dir, withChecksums(files)),
  );
}

/** `<name>.bin` with the tensors' values and `<name>.json` with their specs beside `meta`. */
async function tensorFiles(
  name: string,
  tensors: { name: string; tensor: tf.Tensor }[],
  meta: Record<string, unknown> = {},
): Promise<Record<string, Uint8Array | string>> {
  const encoded = await tf.io.encodeWeights(tensors);
  return {
    [`${name}.bin`]: new Uint8Array(encoded.data as ArrayBuffer),
    [`${name}.json`]: JSON.stringify({ ...meta, specs: encoded.specs }),
  };
}

/** The tensors of `<name>.bin` in `base`, decoded with `specs` (from its `<name>.json`). */
async function readTensorFile(
  base: string,
  name: string,
  specs: tf.io.WeightsManifestEntry[],
): Promise<tf.NamedTensorMap> {
  const data = await readFile(join(base, `${name}.bin`));
  return tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength), specs);
}

/** The optimizer's learning rate, or undefined for an optimizer without a numeric one. */
function learningRateOf(optimizer: tf.Optimizer): number | undefined {
  try {
    return getLearningRate(optimizer);
  } catch {
    return undefined;
  }
}

/**
 * Loads a checkpoint's weights into `model`, and its optimizer state and learning rate into
 * `model.optimizer` (which must be of the same class); returns the saved `state`. Every file is checked
 * against the checkpoint's SHA-256 list first: a damaged one throws a `CallbackError` naming it, and
 * nothing is loaded.
 */
export async function loadCheckpoint<S = unknown>(
  dir: string,
  model: tfl.LayersModel,
): Promise<S | undefined> {
  const base = resolveSavedDirectory(dir);
  await verifyCheckpoint(base);
  let saved: tfl.LayersModel;
  try {
    saved = await tfl.loadLayersModel(directoryLoadHandler(dir));
  } catch (error) {
    throw new CallbackError(`${dir}: cannot load the checkpoint's model`, { cause: error });
  }
  try {
    model.setWeights(saved.getWeights());
  } catch (error) {
    throw new CallbackError(`${dir}: the checkpoint's weights do not fit this model`, { cause: error });
  } finally {
    saved.dispose();
  }
  try {
    const {
      className,
      specs,
      fields = [],
      learningRate,
    } = JSON.parse(await readFile(join(base, `${OPTIMIZER}.json`), 'utf8')) as OptimizerFile;
    if (!model.optimizer)
      throw new CallbackError(`${dir}: the checkpoint has optimizer state but the model is not compiled`);
    if (className !== model.optimizer.getClassName()) {
      throw new CallbackError(
        `${dir}: optimizer state of a ${className}, but the model's optimizer is a ${model.optimizer.getClassName()}`,
      );
    }
    // The fields' bytes follow the weights' in the same file.
    const tensors = await readTensorFile(base, OPTIMIZER, [...specs, ...fields]);
    await writeOptimizerState(
      model.optimizer,
      specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })),
      Object.fromEntries(fields.map((spec) => [spec.name, tensors[spec.name]!])),
      join(base, `${OPTIMIZER}.json`),
    );
    if (typeof learningRate === 'number') setLearningRate(model.optimizer, learningRate);
    tf.dispose(Object.values(tensors));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    return JSON.parse(await readFile(join(base, EXTRA_STATE), 'utf8')) as S;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Tensors saved with `saveCheckpoint(dir, model, { tensors: { [name]: [...] } })`, in order; undefined if none. */
export async function loadCheckpointTensors(dir: string, name: string): Promise<tf.Tensor[] | undefined> {
  const base = resolveSavedDirectory(dir);
  await verifyCheckpoint(base);
  let specs: tf.io.WeightsManifestEntry[];
  try {
    ({ specs } = JSON.parse(await readFile(join(base, `${name}.json`), 'utf8')) as {
      specs: tf.io.WeightsManifestEntry[];
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CallbackError(`${dir}: ${name}.json is not a tensor list`, { cause: error });
  }
  const tensors = await readTensorFile(base, name, specs);
  return specs.map((spec) => tensors[spec.name]!);
}

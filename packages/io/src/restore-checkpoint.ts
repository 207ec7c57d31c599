import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { decodeTensors, OPTIMIZER, type OptimizerFile, readJson, STATE_FILE } from './checkpoint-layout.js';
import { IoError } from './errors.js';
import { modelArtifactsFromFiles } from './model-artifacts.js';
import { restoreLearningRate } from './optimizer-learning-rate.js';
import { writeOptimizerState } from './optimizer-state.js';

type Files = Readonly<Record<string, Uint8Array>>;
/** Names the checkpoint (no argument) or one of its files, for messages. */
export type Where = (file?: string) => string;

/**
 * Puts a checkpoint's weights into `model`, and its optimizer state and learning rate into
 * `model.optimizer` (which must be of the same class); returns the saved `state`.
 */
export async function restoreCheckpoint<S>(
  files: Files,
  model: tfl.LayersModel,
  where: Where,
): Promise<S | undefined> {
  const artifacts = modelArtifactsFromFiles(files, where);
  let saved: tfl.LayersModel;
  try {
    saved = await tfl.loadLayersModel({ load: async () => artifacts });
  } catch (error) {
    throw new IoError(`${where()}: cannot load the checkpoint's model`, { cause: error });
  }
  try {
    model.setWeights(saved.getWeights());
  } catch (error) {
    throw new IoError(`${where()}: the checkpoint's weights do not fit this model`, { cause: error });
  } finally {
    saved.dispose();
  }
  const optimizer = readJson<OptimizerFile>(files, `${OPTIMIZER}.json`, where);
  if (optimizer) await restoreOptimizer(files, model, optimizer, where);
  return readJson<S>(files, STATE_FILE, where);
}

async function restoreOptimizer(files: Files, model: tfl.LayersModel, saved: OptimizerFile, where: Where) {
  const { className, specs, fields = [], learningRate } = saved;
  if (!model.optimizer)
    throw new IoError(`${where()}: the checkpoint has optimizer state but the model is not compiled`);
  if (className !== model.optimizer.getClassName()) {
    throw new IoError(
      `${where()}: optimizer state of a ${className}, but the model's optimizer is a ${model.optimizer.getClassName()}`,
    );
  }
  // The fields' bytes follow the weights' in the same file.
  const tensors = decodeTensors(files, OPTIMIZER, [...specs, ...fields], where);
  try {
    const file = where(`${OPTIMIZER}.json`);
    await writeOptimizerState(
      model.optimizer,
      specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })),
      Object.fromEntries(fields.map((spec) => [spec.name, tensors[spec.name]!])),
      file,
    );
    if (typeof learningRate === 'number') restoreLearningRate(model.optimizer, learningRate, file);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** The tensors of list `name` in order, or undefined when the checkpoint has no such list. */
export function checkpointTensors(files: Files, name: string, where: Where): tf.Tensor[] | undefined {
  const list = readJson<{ specs?: unknown }>(files, `${name}.json`, where);
  if (list === undefined) return undefined;
  if (!Array.isArray(list.specs)) throw new IoError(`${where()}: ${name}.json is not a tensor list`);
  const specs = list.specs as tf.io.WeightsManifestEntry[];
  const tensors = decodeTensors(files, name, specs, where);
  return specs.map((spec) => tensors[spec.name]!);
}

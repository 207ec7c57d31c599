import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { withChecksums } from './checkpoint-integrity.js';
import {
  encodeTensors,
  LIST_NAME,
  OPTIMIZER,
  type OptimizerFile,
  RESERVED_LIST_NAMES,
  STATE_FILE,
} from './checkpoint-layout.js';
import type { CheckpointFiles } from './checkpoint-store.js';
import { IoError } from './errors.js';
import { modelArtifactsToFiles } from './model-artifacts.js';
import { learningRateOf } from './optimizer-learning-rate.js';
import { readOptimizerState } from './optimizer-state.js';

export interface SaveCheckpointOptions {
  /**
   * Also save the optimizer's state (moments, iteration and learning rate, which callbacks such as
   * ReduceLROnPlateau change), so training resumes exactly. Default true.
   */
  includeOptimizer?: boolean;
  /** Any JSON to keep beside the weights (epoch, RNG states, ...), read back by `loadCheckpoint`. */
  state?: unknown;
  /**
   * More tensors by name (e.g. a weights average), read back by `loadCheckpointTensors`; a name whose
   * list is undefined is not saved.
   */
  tensors?: Record<string, tf.Tensor[] | undefined>;
}

/**
 * A checkpoint's files: the tfjs layers format of `model`, its optimizer's state, `state` as JSON, the
 * named tensor lists, and the SHA-256 of them all.
 */
export async function encodeCheckpoint(
  model: tfl.LayersModel,
  options: SaveCheckpointOptions = {},
): Promise<CheckpointFiles> {
  for (const name of Object.keys(options.tensors ?? {})) {
    if (!LIST_NAME.test(name))
      throw new IoError(
        `saveCheckpoint: tensors name '${name}' must be lowercase letters, digits and dashes`,
      );
    if (RESERVED_LIST_NAMES.includes(name))
      throw new IoError(`saveCheckpoint: tensors name '${name}' is taken by the checkpoint's own files`);
  }
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const files: Record<string, Uint8Array | string> = modelArtifactsToFiles(artifacts!);
  if ((options.includeOptimizer ?? true) && model.optimizer)
    Object.assign(files, await optimizerFiles(model.optimizer));
  if (options.state !== undefined) files[STATE_FILE] = JSON.stringify(options.state, null, 2);
  for (const [name, tensors] of Object.entries(options.tensors ?? {})) {
    if (tensors === undefined) continue;
    const { bin, specs } = await encodeTensors(tensors.map((tensor, i) => ({ name: String(i), tensor })));
    files[`${name}.bin`] = bin;
    files[`${name}.json`] = JSON.stringify({ specs });
  }
  return withChecksums(files);
}

/** `optimizer.bin` and `optimizer.json`: one binary, weights first, then the private scalars. */
async function optimizerFiles(optimizer: tf.Optimizer): Promise<Record<string, Uint8Array | string>> {
  const { weights, scalars } = await readOptimizerState(optimizer);
  try {
    const { bin, specs } = await encodeTensors([...weights, ...scalars]);
    const file: OptimizerFile = {
      className: optimizer.getClassName(),
      learningRate: learningRateOf(optimizer),
      specs: specs.slice(0, weights.length),
      fields: specs.slice(weights.length),
    };
    return { [`${OPTIMIZER}.bin`]: bin, [`${OPTIMIZER}.json`]: JSON.stringify(file) };
  } finally {
    tf.dispose(weights.filter((w) => w.name === 'iter').map((w) => w.tensor));
  }
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  directoryLoadHandler,
  modelArtifactsToFiles,
  resolveSavedDirectory,
  writeDirectoryAtomic,
} from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Where a run stands: enough to continue it exactly. */
export interface TrainingState {
  /** Epoch in progress (0-based) and how many of its batches are done. */
  epoch: number;
  batchInEpoch: number;
  globalStep: number;
  augmentState: number;
  bestMetric?: number;
  trainSeconds: number;
  imagesSeen: number;
}

const OPTIMIZER_FILE = 'optimizer.bin';
const OPTIMIZER_SPECS = 'optimizer.json';
const STATE_FILE = 'state.json';

/** Saves model, optimizer state and training state into `dir` as one atomic directory swap. */
export async function saveCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  state: TrainingState,
): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const optimizerWeights = await model.optimizer.getWeights();
  const encoded = await tf.io.encodeWeights(optimizerWeights);
  await writeDirectoryAtomic(dir, {
    ...modelArtifactsToFiles(artifacts!),
    [OPTIMIZER_FILE]: new Uint8Array(encoded.data as ArrayBuffer),
    [OPTIMIZER_SPECS]: JSON.stringify(encoded.specs),
    [STATE_FILE]: JSON.stringify(state, null, 2),
  });
}

/** Loads the weights into `model` and the optimizer state into `model.optimizer`; returns the state. */
export async function loadCheckpoint(dir: string, model: tfl.LayersModel): Promise<TrainingState> {
  const saved = await tfl.loadLayersModel(directoryLoadHandler(dir));
  model.setWeights(saved.getWeights());
  saved.dispose();
  const base = resolveSavedDirectory(dir);
  const specs = JSON.parse(
    await readFile(join(base, OPTIMIZER_SPECS), 'utf8'),
  ) as tf.io.WeightsManifestEntry[];
  const data = await readFile(join(base, OPTIMIZER_FILE));
  const tensors = tf.io.decodeWeights(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    specs,
  );
  await model.optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name]! })));
  tf.dispose(Object.values(tensors));
  return JSON.parse(await readFile(join(base, STATE_FILE), 'utf8')) as TrainingState;
}

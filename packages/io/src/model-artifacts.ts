import { io } from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** The files of the tfjs layers format for `artifacts`: `model.json` and `weights.bin`. */
export function modelArtifactsToFiles(artifacts: io.ModelArtifacts): Record<string, Uint8Array | string> {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    throw new IoError('binary model topologies are not supported');
  const weightData = artifacts.weightData
    ? io.concatenateArrayBuffers(
        Array.isArray(artifacts.weightData) ? artifacts.weightData : [artifacts.weightData],
      )
    : new ArrayBuffer(0);
  const manifest = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    trainingConfig: artifacts.trainingConfig,
    userDefinedMetadata: artifacts.userDefinedMetadata,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
  };
  return { [MODEL_FILE]: JSON.stringify(manifest), [WEIGHTS_FILE]: new Uint8Array(weightData) };
}

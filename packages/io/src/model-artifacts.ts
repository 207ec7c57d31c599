import { io } from '@tensorflow/tfjs-core';
import { IoError } from './errors.js';
import { checkWeightGroupBytes } from './weight-bytes.js';

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

/**
 * The artifacts of the tfjs layers format held in `files` (`model.json` and the weight files its manifest
 * names), refused unless each weights group has the bytes its weights need; `where` names a file in
 * messages.
 */
export function modelArtifactsFromFiles(
  files: Readonly<Record<string, Uint8Array>>,
  where: (file: string) => string,
): io.ModelArtifacts {
  const modelPath = where(MODEL_FILE);
  let manifest: io.ModelJSON;
  try {
    manifest = JSON.parse(new TextDecoder().decode(files[MODEL_FILE])) as io.ModelJSON;
  } catch (error) {
    throw new IoError(`cannot read a tfjs model from ${modelPath}`, { cause: error });
  }
  const specs: io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of manifest.weightsManifest ?? []) {
    const names = group.paths.map((path) => path.replace(/^\.\//, ''));
    const groupBuffers = names.map((name) => {
      const bytes = files[name];
      if (bytes === undefined) throw new IoError(`cannot read ${where(name)}, named in ${modelPath}`);
      return bytes;
    });
    const found = groupBuffers.reduce((n, b) => n + b.length, 0);
    checkWeightGroupBytes(group.weights, names.map(where), found, modelPath);
    buffers.push(...groupBuffers);
    specs.push(...group.weights);
  }
  const weightData = new Uint8Array(buffers.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const buffer of buffers) {
    weightData.set(buffer, offset);
    offset += buffer.length;
  }
  return io.getModelArtifactsForJSONSync(manifest, specs, weightData.buffer);
}

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** What the page needs to load a model again: its topology and weights in one buffer (transferable). */
export interface PlainArtifacts {
  modelTopology: object;
  weightSpecs: object[];
  weightData: ArrayBuffer;
}

/** `model` as plain artifacts (no optimizer: the page only classifies and downloads it). */
export async function modelArtifacts(model: tfl.LayersModel): Promise<PlainArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return {
    modelTopology: saved!.modelTopology as object,
    weightSpecs: saved!.weightSpecs as object[],
    weightData: tf.io.CompositeArrayBuffer.join(saved!.weightData!),
  };
}

/** An IOHandler that loads plain artifacts back (for `loadClassifier({ model })`). */
export function fromPlainArtifacts(artifacts: PlainArtifacts): tf.io.IOHandler {
  return tf.io.fromMemory({
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: artifacts.weightData,
  });
}

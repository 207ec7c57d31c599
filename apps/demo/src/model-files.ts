import { type Classifier, loadClassifier } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Saves `classifier`'s model as the browser's downloads `<name>.json` and `<name>.weights.bin`; as
 * `model`, the two files in one folder are what `loadClassifier({ model: folder })` reads in Node.
 */
export async function downloadModel(classifier: Classifier, name: string): Promise<void> {
  await classifier.model.save(`downloads://${name}`);
}

/**
 * A classifier from files the user picked: one `.json` (the model) and its `.bin` weights, as
 * `downloadModel` writes them. Anything else is an Error whose message names the files and says why.
 */
export async function loadModelFiles(
  files: readonly File[],
  classNames?: readonly string[],
): Promise<Classifier> {
  const json = files.filter((f) => f.name.endsWith('.json'));
  const weights = files.filter((f) => !f.name.endsWith('.json'));
  const names = files.map((f) => f.name).join(', ') || 'no file';
  if (json.length !== 1 || weights.length === 0)
    throw new Error(
      `${names}: expected one model .json file and its .bin weights, found ${json.length} .json and ${weights.length} other file(s)`,
    );
  try {
    return await loadClassifier({ model: tf.io.browserFiles([json[0]!, ...weights]), classNames });
  } catch (error) {
    throw new Error(`${names}: not a model this page can load (${(error as Error).message})`, {
      cause: error,
    });
  }
}

import type * as tf from '@tensorflow/tfjs-layers';
import type { ModelArchitecture } from './recipes.js';
import { createSeedModel, type SeedModelOptions } from './seed-model.js';
import { createVggModel } from './vgg-model.js';

/** The network a recipe's `model.architecture` names, with the options both architectures take. */
export function createModel(architecture: ModelArchitecture, options: SeedModelOptions = {}): tf.LayersModel {
  return architecture === 'vgg' ? createVggModel(options) : createSeedModel(options);
}

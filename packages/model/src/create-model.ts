import type * as tf from '@tensorflow/tfjs-layers';
import {
  ARCHITECTURES,
  type DeprecatedArchitecture,
  type ModelArchitecture,
  type ModelOptions,
  resolveArchitecture,
} from './architectures.js';

/**
 * The network `architecture` names in the {@link ARCHITECTURES} registry (a recipe's `model.architecture`),
 * with the options every architecture takes. An unknown name is a `ClassifierError` listing the known ones.
 */
export function createModel(
  architecture: ModelArchitecture | DeprecatedArchitecture,
  options: ModelOptions = {},
): tf.LayersModel {
  return ARCHITECTURES[resolveArchitecture(architecture, 'createModel: architecture')].create(options);
}

import {
  convertActivation,
  convertAlphaActivation,
  convertRelu,
  convertSoftmax,
} from './activation-layers.js';
import { convertBatchNormalization } from './batch-normalization.js';
import type { LayerConverter } from './context.js';
import { convertConv2d } from './conv2d.js';
import { convertDense } from './dense.js';
import { convertConcatenate, convertElementwise } from './merge.js';
import {
  convertAveragePooling2d,
  convertGlobalAveragePooling2d,
  convertGlobalMaxPooling2d,
  convertMaxPooling2d,
} from './pooling.js';
import { convertFlatten, convertIdentity, convertRescaling } from './reshaping.js';

/**
 * Layers that do nothing at inference: dropout and noise (tfjs-layers), Keras's augmentation layers
 * (tfjs-layers' RandomWidth/RandomHeight and @fmnist/augment's, which use Keras's class names).
 */
export const IDENTITY_LAYERS = [
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'RandomFlip',
  'RandomRotation',
  'RandomTranslation',
  'RandomZoom',
  'RandomContrast',
  'RandomBrightness',
  'RandomWidth',
  'RandomHeight',
] as const;

/** Every layer class `toOnnx` converts, by `getClassName()`; any other is refused by name. */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: convertConv2d,
  Dense: convertDense,
  BatchNormalization: convertBatchNormalization,
  MaxPooling2D: convertMaxPooling2d,
  AveragePooling2D: convertAveragePooling2d,
  GlobalAveragePooling2D: convertGlobalAveragePooling2d,
  GlobalMaxPooling2D: convertGlobalMaxPooling2d,
  Flatten: convertFlatten,
  Rescaling: convertRescaling,
  Activation: convertActivation,
  ReLU: convertRelu,
  LeakyReLU: convertAlphaActivation('LeakyRelu', 0.3),
  ELU: convertAlphaActivation('Elu', 1),
  Softmax: convertSoftmax,
  Add: convertElementwise('Add'),
  Multiply: convertElementwise('Mul'),
  Concatenate: convertConcatenate,
  ...Object.fromEntries(IDENTITY_LAYERS.map((name) => [name, convertIdentity])),
};

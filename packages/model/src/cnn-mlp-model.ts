import * as tf from '@tensorflow/tfjs-layers';
import { warnDeprecated } from './deprecated.js';
import { convBlock, optionalDropout, seededInitializers } from './layer-blocks.js';

export interface CnnMlpModelOptions {
  /** BatchNorm after each convolution (conv → BN → ReLU). Default false, as in the report. */
  batchNorm?: boolean;
  /** Dropout rates after each conv block and after the hidden dense layer. Default 0.2 and 0.4. */
  dropout?: { conv?: number; dense?: number };
  /** Seed of the weight initializers, for reproducible starts (dropout masks stay random). */
  seed?: number;
  /** Image size and channels. Default 28x28x1. */
  inputShape?: [number, number, number];
  numClasses?: number;
}

/**
 * Parameter counts of the report's architecture (Keras counting: all weights). With BatchNorm, 298,474
 * trainable (the count PyTorch reports) plus 576 moving statistics.
 */
export const CNN_MLP_MODEL_PARAMS = 297_898;
export const CNN_MLP_MODEL_BN_TRAINABLE_PARAMS = 298_474;

/**
 * The 2019 report's hybrid CNN+MLP: Conv32 3x3 → Conv64 3x3 → MaxPool 3 → Dropout → Conv64 3x3 →
 * Conv128 5x5 → MaxPool 3 → Dropout → Flatten → Dense32 → Dropout → Dense10 softmax, ReLU, 'same'
 * convolutions. Layer names are stable so saved weights stay loadable.
 */
export function createCnnMlpModel(options: CnnMlpModelOptions = {}): tf.LayersModel {
  const { batchNorm = false, seed, inputShape = [28, 28, 1], numClasses = 10 } = options;
  const convDropout = options.dropout?.conv ?? 0.2;
  const denseDropout = options.dropout?.dense ?? 0.4;
  const init = seededInitializers(seed);
  const input = tf.input({ shape: inputShape, name: 'image' });
  const conv = (x: tf.SymbolicTensor, name: string, filters: number, kernelSize: number) =>
    convBlock(x, { name, filters, kernelSize, batchNorm, kernelInitializer: init() });

  let x = conv(input, 'conv1', 32, 3);
  x = conv(x, 'conv2', 64, 3);
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 3 }).apply(x) as tf.SymbolicTensor;
  x = optionalDropout(x, 'dropout1', convDropout);
  x = conv(x, 'conv3', 64, 3);
  x = conv(x, 'conv4', 128, 5);
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 3 }).apply(x) as tf.SymbolicTensor;
  x = optionalDropout(x, 'dropout2', convDropout);
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'dense1', units: 32, activation: 'relu', kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  x = optionalDropout(x, 'dropout3', denseDropout);
  const output = tf.layers
    .dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({
    inputs: input,
    outputs: output,
    name: batchNorm ? 'fmnist_cnn_mlp_bn' : 'fmnist_cnn_mlp',
  });
}

/** @deprecated Renamed {@link CnnMlpModelOptions}. */
export type SeedModelOptions = CnnMlpModelOptions;
/**
 * @deprecated Renamed {@link CNN_MLP_MODEL_PARAMS}.
 * @alias
 */
export const SEED_MODEL_PARAMS = CNN_MLP_MODEL_PARAMS;
/**
 * @deprecated Renamed {@link CNN_MLP_MODEL_BN_TRAINABLE_PARAMS}.
 * @alias
 */
export const SEED_MODEL_BN_TRAINABLE_PARAMS = CNN_MLP_MODEL_BN_TRAINABLE_PARAMS;

/** @deprecated Renamed {@link createCnnMlpModel}; says so once. */
export function createSeedModel(options: CnnMlpModelOptions = {}): tf.LayersModel {
  warnDeprecated('createSeedModel', 'createCnnMlpModel');
  return createCnnMlpModel(options);
}

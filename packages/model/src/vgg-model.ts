import * as tf from '@tensorflow/tfjs-layers';
import { convBlock, optionalDropout, seededInitializers } from './layer-blocks.js';

export interface VggModelOptions {
  /** Filters of the six 3x3 convolutions, in pairs. Default 32, 32, 64, 64, 128, 128. */
  filters?: readonly [number, number, number, number, number, number];
  /** BatchNorm after each convolution (conv → BN → ReLU). Default true. */
  batchNorm?: boolean;
  /** Dropout rates after each of the two poolings and before the classifier. Default 0.1 and 0.1. */
  dropout?: { conv?: number; dense?: number };
  /** Seed of the weight initializers, for reproducible starts (dropout masks stay random). */
  seed?: number;
  /** Image size and channels. Default 28x28x1. */
  inputShape?: [number, number, number];
  numClasses?: number;
}

/** Trainable parameters of the default VGG model (it also holds 896 BatchNorm moving statistics). */
export const VGG_MODEL_TRAINABLE_PARAMS = 288_618;

/**
 * A small VGG-style network: three pairs of 3x3 'same' convolutions (at 28, 14 and 7 pixels for a 28x28
 * input) with 2x2 max pooling and dropout between the pairs, global average pooling, dropout, Dense
 * softmax. Fewer parameters and multiply-adds than the report's model, spent at higher resolution.
 */
export function createVggModel(options: VggModelOptions = {}): tf.LayersModel {
  const { filters = [32, 32, 64, 64, 128, 128], batchNorm = true, seed, numClasses = 10 } = options;
  const inputShape = options.inputShape ?? [28, 28, 1];
  const convDropout = options.dropout?.conv ?? 0.1;
  const denseDropout = options.dropout?.dense ?? 0.1;
  const init = seededInitializers(seed);

  const input = tf.input({ shape: inputShape, name: 'image' });
  let x = input;
  for (const [i, count] of filters.entries()) {
    const block = Math.floor(i / 2) + 1;
    const name = `block${block}_conv${(i % 2) + 1}`;
    x = convBlock(x, { name, filters: count, kernelSize: 3, batchNorm, kernelInitializer: init() });
    if (i % 2 === 1 && block < 3) {
      x = tf.layers.maxPooling2d({ name: `pool${block}`, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
      x = optionalDropout(x, `dropout${block}`, convDropout);
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: 'global_pool' }).apply(x) as tf.SymbolicTensor;
  x = optionalDropout(x, 'dropout3', denseDropout);
  const output = tf.layers
    .dense({ name: 'output', units: numClasses, activation: 'softmax', kernelInitializer: init() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: batchNorm ? 'fmnist_vgg_bn' : 'fmnist_vgg' });
}

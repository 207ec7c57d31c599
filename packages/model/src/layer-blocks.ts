import * as tf from '@tensorflow/tfjs-layers';

type KernelInitializer = ReturnType<typeof tf.initializers.glorotUniform> | 'glorotUniform';

/** Glorot-uniform initializers drawn from `seed`, one new seed per layer; unseeded when `seed` is undefined. */
export function seededInitializers(seed: number | undefined): () => KernelInitializer {
  let next = seed ?? 0;
  return () => (seed === undefined ? 'glorotUniform' : tf.initializers.glorotUniform({ seed: next++ }));
}

interface ConvBlock {
  name: string;
  filters: number;
  kernelSize: number;
  batchNorm: boolean;
  kernelInitializer: KernelInitializer;
}

/** A 'same' convolution then ReLU; with `batchNorm`, conv → BatchNorm (`<name>_bn`) → ReLU (`<name>_relu`). */
export function convBlock(x: tf.SymbolicTensor, block: ConvBlock): tf.SymbolicTensor {
  const { name, filters, kernelSize, batchNorm, kernelInitializer } = block;
  const out = tf.layers
    .conv2d({
      name,
      filters,
      kernelSize,
      padding: 'same',
      activation: batchNorm ? 'linear' : 'relu',
      kernelInitializer,
    })
    .apply(x) as tf.SymbolicTensor;
  if (!batchNorm) return out;
  const normalized = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(out) as tf.SymbolicTensor;
  return tf.layers
    .activation({ name: `${name}_relu`, activation: 'relu' })
    .apply(normalized) as tf.SymbolicTensor;
}

/** Dropout at `rate`, or nothing when the rate is 0. Unseeded: a seeded tfjs Dropout draws the same mask at every step. */
export function optionalDropout(x: tf.SymbolicTensor, name: string, rate: number): tf.SymbolicTensor {
  return rate > 0 ? (tf.layers.dropout({ name, rate }).apply(x) as tf.SymbolicTensor) : x;
}

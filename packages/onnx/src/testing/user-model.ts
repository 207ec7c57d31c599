import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Sym = tfl.SymbolicTensor;

/** Deterministic numbers in [lo, hi) (a linear congruential generator): fixtures without a seed package. */
export function numbers(count: number, seed: number, lo = 0, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** Gives every BatchNormalization non-trivial statistics, as a trained model has. */
function randomizeBatchNorm(model: tfl.LayersModel): void {
  let seed = 1;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const ranges: Record<string, [number, number]> = {
      gamma: [0.5, 1.5],
      beta: [-0.5, 0.5],
      moving_mean: [-0.3, 0.3],
      moving_variance: [0.5, 2],
    };
    layer.setWeights(
      layer.weights.map((w) => {
        const [lo, hi] = ranges[w.originalName.split('/').at(-1)!]!;
        return tf.tensor(numbers(w.shape[0]!, seed++, lo, hi), [w.shape[0]!]);
      }),
    );
  }
}

/**
 * A user's functional model of the kind the issue names (16x16 RGB, 4 classes, BatchNorm) that touches
 * every converter: Rescaling, convolutions with fused activations, strided 'same' padding, branches
 * joined by Add and Concatenate, both poolings, Dropout, Flatten beside global pooling, BatchNorm after
 * a convolution, after a Dense with an activation (not foldable) and after a linear Dense.
 */
export function createUserModel(): tfl.LayersModel {
  const L = tfl.layers;
  const apply = (layer: tfl.layers.Layer, x: Sym | Sym[]) => layer.apply(x) as Sym;
  const input = tfl.input({ shape: [16, 16, 3], name: 'pixels' });
  let x = apply(L.rescaling({ scale: 2, offset: -1 }), input);
  x = apply(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'stem' }), x);
  x = apply(L.batchNormalization({ name: 'stem_bn' }), x);
  x = apply(L.activation({ activation: 'relu' }), x);
  const wide = apply(L.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'swish' }), x);
  const narrow = apply(L.conv2d({ filters: 8, kernelSize: 1, activation: 'elu' }), x);
  x = apply(L.add(), [wide, narrow]);
  x = apply(L.maxPooling2d({ poolSize: 2 }), x);
  x = apply(L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', name: 'down' }), x);
  x = apply(L.batchNormalization({ name: 'down_bn' }), x);
  x = apply(L.leakyReLU({ alpha: 0.1 }), x);
  const smooth = apply(L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }), x);
  x = apply(L.concatenate(), [x, smooth]);
  x = apply(L.dropout({ rate: 0.5 }), x);
  const flat = apply(L.flatten(), x);
  const pooled = apply(L.globalAveragePooling2d({}), x);
  let h = apply(L.concatenate(), [flat, pooled]);
  h = apply(L.dense({ units: 16, activation: 'tanh' }), h);
  h = apply(L.batchNormalization({ name: 'hidden_bn' }), h);
  h = apply(L.dense({ units: 4, name: 'logits' }), h);
  h = apply(L.batchNormalization({ name: 'logits_bn' }), h);
  const output = apply(L.softmax(), h);
  const model = tfl.model({ inputs: input, outputs: output, name: 'user_model' });
  randomizeBatchNorm(model);
  return model;
}

import { Classifier, featuresModel } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Passes over the examples: a linear head on ~100 examples settles well within this, in about a second. */
const HEAD_EPOCHS = 60;

/**
 * A new softmax head for `names` on the features `shipped.embed()` gives (`featuresModel`'s output: the
 * input of its classifier head), trained on `examples` (28x28 images in [0, 1], `labels` the class of
 * each), and the whole model: the shipped network up to those features, then this head, as a `Classifier`
 * that classifies and saves like any model, its class names in its `model.json` (`userDefinedMetadata`,
 * which `loadClassifier` reads). `shipped` must stay alive while the result is used (they share its layers).
 */
export async function trainClassHead(
  shipped: Classifier,
  names: readonly string[],
  examples: Float32Array,
  labels: readonly number[],
  seed: number,
): Promise<Classifier> {
  const { embeddings, count, size } = shipped.embed(examples);
  const dense = tfl.layers.dense({
    units: names.length,
    activation: 'softmax',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    name: 'own_classes',
  });
  const head = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [size] }), dense] });
  head.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(embeddings, [count, size]);
  const y = tf.oneHot(tf.tensor1d(labels as number[], 'int32'), names.length);
  try {
    await head.fit(x, y, { epochs: HEAD_EPOCHS, batchSize: 32, shuffle: false, verbose: 0 });
  } finally {
    tf.dispose([x, y]);
  }
  // The very features embed() gave the head: the same walk back from the output.
  const features = featuresModel(shipped.model).outputs[0]!;
  const whole = tfl.model({
    inputs: shipped.model.inputs,
    outputs: dense.apply(features) as tfl.SymbolicTensor,
  });
  whole.setUserDefinedMetadata({ classNames: [...names] });
  return new Classifier(whole, names);
}

import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export interface ShardResult {
  /** One gradient per trainable weight, in `model.trainableWeights` order (mean over the shard). */
  grads: tf.Tensor[];
  /** Mean loss over the shard. */
  loss: number;
  /** How many samples the model classified right (argmax of output vs. argmax of target). */
  correct: number;
}

/** Forward in training mode (dropout on, BatchNorm statistics updated) and backward on one shard. */
export function shardGradients(
  model: LayersModel,
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar,
  x: tf.Tensor,
  y: tf.Tensor,
): ShardResult {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct = 0;
  const { value, grads } = tf.variableGrads(() => {
    const prediction = model.apply(x, { training: true }) as tf.Tensor;
    const hits = tf.tidy(() =>
      tf.sum(tf.cast(tf.equal(tf.argMax(prediction, -1), tf.argMax(y, -1)), 'int32')),
    );
    correct = hits.dataSync()[0]!;
    hits.dispose();
    return loss(y, prediction);
  }, variables);
  const lossValue = value.dataSync()[0]!;
  value.dispose();
  return { grads: variables.map((v) => grads[v.name]!), loss: lossValue, correct };
}

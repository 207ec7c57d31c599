import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { withFusedTrainingLayers } from '../fused-layers/with-fused-training-layers.js';
import { correctPredictions, type LossSpec } from '../losses.js';
import { withDropoutSeed } from './dropout-seed.js';

interface ShardResult {
  /** One gradient per trainable weight, in `model.trainableWeights` order (mean over the shard). */
  grads: tf.Tensor[];
  /** Mean loss over the shard. */
  loss: number;
  /** How many samples the model got right (Keras's accuracy for the loss). */
  correct: number;
}

/**
 * Forward in training mode (dropout on, BatchNorm statistics updated) and backward on one shard, on the
 * fused training paths of `withFusedTrainingLayers`; with `seed`, dropout masks come from it (a
 * reproducible step).
 */
export function shardGradients(
  model: LayersModel,
  loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar,
  spec: LossSpec,
  x: tf.Tensor,
  y: tf.Tensor,
  seed?: number,
): ShardResult {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let correct = 0;
  const { value, grads } = withDropoutSeed(model, seed, () =>
    withFusedTrainingLayers(model, () =>
      tf.variableGrads(() => {
        const prediction = model.apply(x, { training: true }) as tf.Tensor;
        correct = correctPredictions(spec, y, prediction);
        return loss(y, prediction);
      }, variables),
    ),
  );
  const lossValue = value.dataSync()[0]!;
  value.dispose();
  return { grads: variables.map((v) => grads[v.name]!), loss: lossValue, correct };
}

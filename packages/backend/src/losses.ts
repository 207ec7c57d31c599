import * as tf from '@tensorflow/tfjs-core';

/** A loss that can cross a thread boundary: workers rebuild it from this description. */
export interface LossSpec {
  type: 'categoricalCrossentropy';
  /** Mix the one-hot targets with the uniform distribution: `y * (1 - s) + s / classes`. Default 0. */
  labelSmoothing?: number;
}

// Keras clips probabilities to [epsilon, 1 - epsilon] before the log (backend.epsilon() = 1e-7).
const PROBABILITY_EPSILON = 1e-7;

/** Mean categorical cross-entropy of softmax outputs `yPred` against one-hot `yTrue`. */
export function lossFunction(spec: LossSpec): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  if (spec.type !== 'categoricalCrossentropy') throw new Error(`unknown loss type '${String(spec.type)}'`);
  const smoothing = spec.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1))
    throw new Error(`labelSmoothing must be in [0, 1), got ${smoothing}`);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const classes = yTrue.shape[yTrue.shape.length - 1]!;
      const target = smoothing > 0 ? tf.add(tf.mul(yTrue, 1 - smoothing), smoothing / classes) : yTrue;
      const logs = tf.log(tf.clipByValue(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON));
      return tf.mean(tf.neg(tf.sum(tf.mul(target, logs), -1))) as tf.Scalar;
    });
}

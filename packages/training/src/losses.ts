import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TrainingError } from './errors.js';

/** The losses a data-parallel trainer can rebuild in its workers. */
export const LOSS_TYPES = [
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
] as const;
export type LossType = (typeof LOSS_TYPES)[number];

/** A loss that can cross a thread boundary: workers rebuild it from this description. */
export interface LossSpec {
  /**
   * `categoricalCrossentropy`: one-hot `y` `[n, classes]`; `sparseCategoricalCrossentropy`: class
   * indices `[n]` or `[n, 1]`; `binaryCrossentropy`: 0/1 targets shaped as the output (`[n, 1]`).
   */
  type: LossType;
  /** Categorical and binary: mix the targets with the uniform distribution, Keras's `label_smoothing`. */
  labelSmoothing?: number;
  /** The model outputs raw scores (logits), not softmax/sigmoid probabilities. Default false. */
  fromLogits?: boolean;
}

// Keras clips probabilities to [epsilon, 1 - epsilon] before the log (backend.epsilon() = 1e-7).
const PROBABILITY_EPSILON = 1e-7;

// The names model.compile takes for these losses are the types themselves.
const COMPILED_NAMES: Record<string, LossType> = Object.fromEntries(LOSS_TYPES.map((type) => [type, type]));

function checkSpec(spec: LossSpec): void {
  if (!LOSS_TYPES.includes(spec.type)) {
    throw new TrainingError(
      `unknown loss type '${String(spec.type)}'; expected one of ${LOSS_TYPES.join(', ')}`,
    );
  }
  const smoothing = spec.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1))
    throw new TrainingError(`labelSmoothing must be in [0, 1), got ${smoothing}`);
  if (smoothing > 0 && spec.type === 'sparseCategoricalCrossentropy') {
    throw new TrainingError(
      'labelSmoothing does not apply to sparseCategoricalCrossentropy (nor in Keras); use one-hot labels',
    );
  }
}

/** Class indices `[n]` / `[n, 1]` as one-hot rows of `classes`. */
function oneHotOf(labels: tf.Tensor, classes: number): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), classes), 'float32');
}

/** The mean loss of a batch, as Keras computes it. */
export function lossFunction(spec: LossSpec): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  checkSpec(spec);
  const smoothing = spec.labelSmoothing ?? 0;
  if (spec.type === 'binaryCrossentropy') {
    return (yTrue, yPred) =>
      tf.tidy(() => {
        const target = smoothing > 0 ? tf.add(tf.mul(yTrue, 1 - smoothing), smoothing / 2) : yTrue;
        if (spec.fromLogits) {
          // max(z, 0) - z*y + log(1 + exp(-|z|)), the stable form of sigmoid cross-entropy.
          const z = yPred;
          return tf.mean(
            tf.add(tf.sub(tf.relu(z), tf.mul(z, target)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))),
          ) as tf.Scalar;
        }
        const p = tf.clipByValue(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
        const terms = tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p))));
        return tf.neg(tf.mean(terms)) as tf.Scalar;
      });
  }
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const classes = yPred.shape[yPred.shape.length - 1]!;
      const oneHot = spec.type === 'sparseCategoricalCrossentropy' ? oneHotOf(yTrue, classes) : yTrue;
      const target = smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / classes) : oneHot;
      const logs = spec.fromLogits
        ? tf.logSoftmax(yPred)
        : tf.log(tf.clipByValue(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON));
      return tf.mean(tf.neg(tf.sum(tf.mul(target, logs), -1))) as tf.Scalar;
    });
}

/** How many samples of the batch the model got right, as Keras's accuracy for that loss counts them. */
export function correctPredictions(spec: LossSpec, yTrue: tf.Tensor, yPred: tf.Tensor): number {
  const hits = tf.tidy(() => {
    if (spec.type === 'binaryCrossentropy') {
      const predicted = tf.greater(yPred, spec.fromLogits ? 0 : 0.5);
      return tf.sum(tf.cast(tf.equal(predicted, tf.greater(yTrue, 0.5)), 'int32'));
    }
    const truth =
      spec.type === 'sparseCategoricalCrossentropy'
        ? tf.cast(tf.reshape(yTrue, [-1]), 'int32')
        : tf.argMax(yTrue, -1);
    return tf.sum(tf.cast(tf.equal(tf.argMax(yPred, -1), truth), 'int32'));
  });
  const count = hits.dataSync()[0]!;
  hits.dispose();
  return count;
}

/**
 * The loss to train `model` with: `requested` if given, else the one it was compiled with. Refuses, by
 * name, a compiled loss workers cannot rebuild, a request that contradicts the compiled loss, and
 * probabilities-versus-logits mismatches with the model's last activation.
 */
export function resolveLoss(model: LayersModel, requested?: LossSpec): LossSpec {
  const compiled = model.loss as unknown;
  const compiledName = typeof compiled === 'string' ? compiled : undefined;
  const compiledType = compiledName ? COMPILED_NAMES[compiledName] : undefined;
  let spec: LossSpec;
  if (requested) {
    checkSpec(requested);
    if (compiledType && compiledType !== requested.type) {
      throw new TrainingError(
        `DataParallelTrainer: options.loss '${requested.type}' contradicts the model's compiled loss '${compiledName}'`,
      );
    }
    spec = requested;
  } else if (compiledType) {
    spec = { type: compiledType };
  } else {
    const what =
      compiled === undefined
        ? 'no compiled loss'
        : typeof compiled === 'function'
          ? 'a loss function (functions cannot cross to worker threads)'
          : `the loss ${JSON.stringify(compiled)}`;
    throw new TrainingError(
      `DataParallelTrainer: the model has ${what}; compile it with one of ${Object.keys(COMPILED_NAMES).join(', ')} or pass options.loss`,
    );
  }
  const last = model.layers.at(-1)?.getConfig() as { activation?: unknown } | undefined;
  const activation = typeof last?.activation === 'string' ? last.activation : undefined;
  const probabilities = spec.type === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
  if (activation === 'linear' && !spec.fromLogits) {
    throw new TrainingError(
      `DataParallelTrainer: the model's last layer outputs raw scores (activation linear) but ${spec.type} expects ${probabilities} probabilities; end the model with ${probabilities} or pass loss { type: '${spec.type}', fromLogits: true }`,
    );
  }
  if (spec.fromLogits && (activation === 'softmax' || activation === 'sigmoid')) {
    throw new TrainingError(
      `DataParallelTrainer: fromLogits is set but the model's last layer applies ${activation}; drop one of them`,
    );
  }
  return spec;
}

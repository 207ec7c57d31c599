import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { correctPredictions, type LossSpec } from '../losses.js';

/**
 * The loss summed over samples and the samples classified right, in inference mode, `batchSize` samples
 * at a time: what `evaluate` reports, computed on this thread or in a worker alike.
 */
export function evaluateSums(
  model: LayersModel,
  lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar,
  loss: LossSpec,
  batch: { x: Float32Array; xShape: number[]; y: Float32Array; yShape: number[] },
  batchSize: number,
): { lossSum: number; correct: number } {
  const { x, xShape, y, yShape } = batch;
  const count = xShape[0]!;
  const xSize = x.length / count;
  const ySize = y.length / count;
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * xSize, (start + n) * xSize), [n, ...xShape.slice(1)]);
      const ys = tf.tensor(y.subarray(start * ySize, (start + n) * ySize), [n, ...yShape.slice(1)]);
      const prediction = model.predict(xs) as tf.Tensor;
      lossSum += lossFn(ys, prediction).dataSync()[0]! * n;
      correct += correctPredictions(loss, ys, prediction);
    });
  }
  return { lossSum, correct };
}

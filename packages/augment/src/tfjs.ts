import * as tf from '@tensorflow/tfjs-core';
import type * as tfd from '@tensorflow/tfjs-data';
import { seededAugment } from './augmenter.js';
import { AugmentError } from './errors.js';
import type { Transform } from './transform.js';

/**
 * `dataset` with its `xs` image batches (`[n, height, width, channels]`) augmented by `pipeline`, drawn
 * from one seeded stream, every other field (`ys`, …) passed through: works for any tf.data pipeline of
 * an image classifier, before `model.fitDataset`. Values keep their scale (0–1 stays 0–1).
 */
export function augmentDataset<T extends { xs: tf.Tensor }>(
  dataset: tfd.Dataset<T>,
  pipeline: Transform | readonly Transform[],
  { seed = 0 }: { seed?: number } = {},
): tfd.Dataset<T> {
  if (typeof (dataset as { mapAsync?: unknown })?.mapAsync !== 'function')
    throw new AugmentError('augmentDataset: dataset must be a tf.data.Dataset');
  const { augment } = seededAugment(pipeline, seed, 'augmentDataset', 'xs');
  return dataset.mapAsync(async (batch) => {
    const { xs } = batch;
    if (!(xs instanceof tf.Tensor) || xs.rank !== 4)
      throw new AugmentError(
        `augmentDataset: each element's xs must be a [n, height, width, channels] tensor, got ${xs instanceof tf.Tensor ? `shape [${xs.shape.join(', ')}]` : typeof xs}`,
      );
    const data = Float32Array.from(await xs.data());
    const out = augment({ data, shape: xs.shape as [number, number, number, number] });
    // tf.data disposes the input tensors the mapped element no longer holds (the old xs).
    return { ...batch, xs: tf.tensor4d(out.data, out.shape) };
  });
}

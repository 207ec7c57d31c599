import { mixSeed } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { batches } from './batches.js';
import { DatasetError } from './errors.js';
import { checkImageSet, type ImageSet, imageSize } from './image-set.js';
import type { ToTensorsOptions } from './tfjs.js';

/** A batch of pixels as the augmentation hook sees it: channels last, values 0–255. */
export interface PixelBatch {
  data: Uint8Array | Float32Array;
  shape: [number, number, number, number];
}

export interface TfDatasetOptions extends ToTensorsOptions {
  /** Default 32. */
  batchSize?: number;
  /** A new seeded order every epoch (each pass over the dataset). Default true. */
  shuffle?: boolean;
  /** Seed of the shuffles: the same seed gives the same batches, epoch after epoch. Default 0. */
  seed?: number;
  /** Leave out a last, smaller batch. Default false. */
  dropRemainder?: boolean;
  /**
   * Applied to each batch's pixels before they become a tensor, e.g. `createAugmenter(...)` of
   * `@fmnist/augment`; must keep values in 0–255.
   */
  augment?: (batch: PixelBatch) => PixelBatch;
}

/**
 * A `tf.data.Dataset` of `{ xs, ys }` batches of `set`, for `model.fitDataset`: `xs` float32
 * `[n, height, width, channels]` (in [0, 1] unless `normalize: false`), `ys` one-hot float32 (or int32
 * labels with `oneHot: false`). Each pass is a new shuffle, from `seed` and the pass's number.
 */
export function toTfDataset(
  set: ImageSet,
  {
    batchSize = 32,
    shuffle = true,
    seed = 0,
    dropRemainder = false,
    augment,
    normalize = true,
    oneHot = true,
    numClasses = 10,
  }: TfDatasetOptions = {},
): tfd.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor }> {
  checkImageSet(set, 'toTfDataset');
  const size = imageSize(set);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new DatasetError(`toTfDataset: batchSize must be a positive integer, got ${batchSize}`);
  if (augment !== undefined && typeof augment !== 'function')
    throw new DatasetError('toTfDataset: augment must be a function (batch) => batch');
  const scale = normalize ? 1 / 255 : 1;
  let pass = 0;
  function* epoch() {
    const epochSeed = mixSeed(seed, pass++);
    for (const batch of batches(set, batchSize, { shuffle, seed: epochSeed, dropRemainder })) {
      const shape: PixelBatch['shape'] = [batch.count, set.height, set.width, set.channels];
      let pixels: PixelBatch = { data: batch.images, shape };
      if (augment) {
        pixels = augment(pixels);
        if (pixels?.data?.length !== batch.count * size)
          throw new DatasetError(
            `toTfDataset: augment returned ${pixels?.data?.length} values for a batch of ${batch.count * size}`,
          );
      }
      const x = new Float32Array(pixels.data.length);
      for (let i = 0; i < x.length; i++) x[i] = pixels.data[i]! * scale;
      const xs = tf.tensor4d(x, pixels.shape);
      const ys = tf.tidy(() => {
        const labels = tf.tensor1d(Int32Array.from(batch.labels), 'int32');
        return oneHot ? tf.cast(tf.oneHot(labels, numClasses), 'float32') : labels;
      });
      yield { xs, ys };
    }
  }
  return tfd.generator(epoch);
}

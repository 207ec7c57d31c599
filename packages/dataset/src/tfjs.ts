import * as tf from '@tensorflow/tfjs-core';
import { checkImageSet, type ImageSet } from './image-set.js';

export interface ToTensorsOptions {
  /** Scale pixels to [0, 1] float32. Default true (otherwise float32 0–255). */
  normalize?: boolean;
  /** One-hot float32 labels `[N, numClasses]`; otherwise int32 `[N]`. Default true. */
  oneHot?: boolean;
  /** Default 10. */
  numClasses?: number;
}

/** `xs` `[N, height, width, channels]` float32 and `ys` labels, ready for `model.fit`. */
export function toTensors(
  set: Pick<ImageSet, 'images' | 'labels' | 'count' | 'height' | 'width' | 'channels'>,
  { normalize = true, oneHot = true, numClasses = 10 }: ToTensorsOptions = {},
): { xs: tf.Tensor4D; ys: tf.Tensor } {
  checkImageSet(set, 'toTensors');
  const pixels = new Float32Array(set.images.length);
  const scale = normalize ? 1 / 255 : 1;
  for (let i = 0; i < pixels.length; i++) pixels[i] = set.images[i]! * scale;
  const xs = tf.tensor4d(pixels, [set.count, set.height, set.width, set.channels]);
  const labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
  if (!oneHot) return { xs, ys: labels };
  const ys = tf.tidy(() => tf.cast(tf.oneHot(labels, numClasses), 'float32'));
  labels.dispose();
  return { xs, ys };
}

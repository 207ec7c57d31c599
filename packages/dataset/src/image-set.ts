import { DatasetError } from './errors.js';
import type { IdxArray } from './idx.js';

/** Images and labels of one split, as plain typed arrays (no tfjs needed). */
export interface ImageSet {
  /** `count * height * width * channels` bytes, row-major, 0–255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: 1;
}

/** Checks that an images file and a labels file form a labelled set and returns it. */
export function toImageSet(
  images: IdxArray,
  labels: IdxArray,
  numClasses: number,
  names: [string, string],
): ImageSet {
  const [imagesName, labelsName] = names;
  if (images.dtype !== 'uint8' || images.shape.length !== 3) {
    throw new DatasetError(
      `${imagesName}: expected a 3-d uint8 IDX array [count, height, width], found ${images.shape.length}-d ${images.dtype}`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1) {
    throw new DatasetError(
      `${labelsName}: expected a 1-d uint8 IDX array [count], found ${labels.shape.length}-d ${labels.dtype}`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new DatasetError(
      `${labelsName}: holds ${labels.shape[0]} labels but ${imagesName} holds ${count} images`,
    );
  }
  const labelData = labels.data as Uint8Array;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i]! >= numClasses) {
      throw new DatasetError(
        `${labelsName}: label ${labelData[i]} at index ${i} is outside 0–${numClasses - 1}`,
      );
    }
  }
  return { images: images.data as Uint8Array, labels: labelData, count, height, width, channels: 1 };
}

/** Number of bytes per image. */
export function imageSize(set: Pick<ImageSet, 'height' | 'width' | 'channels'>): number {
  return set.height * set.width * set.channels;
}

/** A new set holding the samples at `indices`, in that order. */
export function selectSamples(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]!;
    images.set(set.images.subarray(from * size, (from + 1) * size), i * size);
    labels[i] = set.labels[from]!;
  }
  return { ...set, images, labels, count: indices.length };
}

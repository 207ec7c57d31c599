import { DatasetError } from './errors.js';
import type { IdxArray } from './idx.js';

/** Images and labels of one split, as plain typed arrays (no tfjs needed). */
export interface ImageSet {
  /** `count * height * width * channels` bytes, row-major, channels last, 0–255. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 (greyscale, as Fashion-MNIST) or 3 (RGB). */
  channels: 1 | 3;
}

/** Checks that an images file and a labels file form a labelled set and returns it. */
export function toImageSet(
  images: IdxArray,
  labels: IdxArray,
  numClasses: number,
  names: [string, string],
): ImageSet {
  const [imagesName, labelsName] = names;
  if (images.dtype !== 'uint8' || (images.shape.length !== 3 && images.shape.length !== 4)) {
    throw new DatasetError(
      `${imagesName}: expected a 3-d uint8 IDX array [count, height, width] or 4-d [count, height, width, channels], found ${images.shape.length}-d ${images.dtype}`,
    );
  }
  const channels = images.shape[3] ?? 1;
  if (channels !== 1 && channels !== 3) {
    throw new DatasetError(
      `${imagesName}: expected 1 or 3 channels (the last dimension of [count, height, width, channels]), found ${channels}`,
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
  return { images: images.data as Uint8Array, labels: labelData, count, height, width, channels };
}

type SetShape = Pick<ImageSet, 'images' | 'labels' | 'count' | 'height' | 'width' | 'channels'>;

/**
 * Checks at run time what the `ImageSet` type says, for sets built by hand (or in JavaScript): 1 or 3
 * channels, and as many pixel bytes and labels as `count` images need. `where` names the caller.
 */
export function checkImageSet(set: SetShape, where: string): void {
  if (set.channels !== 1 && set.channels !== 3)
    throw new DatasetError(`${where}: set.channels must be 1 or 3, got ${set.channels}`);
  if (set.images.length !== set.count * imageSize(set) || set.labels.length !== set.count)
    throw new DatasetError(
      `${where}: set claims ${set.count} samples of ${set.height}x${set.width}x${set.channels}, ` +
        `but has ${set.images.length} pixel bytes and ${set.labels.length} labels`,
    );
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

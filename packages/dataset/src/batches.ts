import { createRng, permutation } from '@fmnist/random';
import { DatasetError } from './errors.js';
import { type ImageSet, imageSize } from './image-set.js';

export interface Batch {
  /** `count * height * width * channels` bytes, a copy owned by the caller. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** Positions of these samples in the source set. */
  indices: Uint32Array;
}

export interface BatchOptions {
  /** Visit samples in a seeded random order. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize`. Default false. */
  dropRemainder?: boolean;
}

/** Yields the set in batches of typed arrays; every sample appears once per pass (unless dropped). */
export function* batches(
  set: ImageSet,
  batchSize: number,
  { shuffle = false, seed = 0, dropRemainder = false }: BatchOptions = {},
): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DatasetError(`batches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const order = permutation(set.count, shuffle ? createRng(seed) : undefined);
  const size = imageSize(set);
  for (let start = 0; start < set.count; start += batchSize) {
    const count = Math.min(batchSize, set.count - start);
    if (count < batchSize && dropRemainder) return;
    const indices = order.slice(start, start + count);
    const images = new Uint8Array(count * size);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const from = indices[i]!;
      images.set(set.images.subarray(from * size, (from + 1) * size), i * size);
      labels[i] = set.labels[from]!;
    }
    yield { images, labels, count, indices };
  }
}

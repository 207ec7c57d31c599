import { createRng, mixSeed, type Rng } from '@fmnist/random';
import { compose } from './compose.js';
import { checkBatch, type ImageBatch } from './image-batch.js';
import type { Transform } from './transform.js';

export interface Augmenter {
  /** The batch augmented: new `data` (and `shape`), every other field (labels, ids) as given. */
  <T extends ImageBatch>(batch: T): T;
  /** The generator state; pass it as `seed` to continue this exact stream (resumed training). */
  readonly state: number;
}

/** Applies the pipeline to every batch, drawing from one seeded stream; never mutates its input. */
export function createAugmenter(
  pipeline: Transform | readonly Transform[],
  { seed = 0 }: { seed?: number } = {},
): Augmenter {
  const { augment, rng } = seededAugment(pipeline, seed, 'augmenter', 'batch.data');
  const augmenter = <T extends ImageBatch>(batch: T): T => augment(batch);
  Object.defineProperty(augmenter, 'state', { get: () => rng.state });
  return augmenter as Augmenter;
}

/** `createAugmenter`'s work, its errors naming `where` and the data as `name` (augmentDataset's `xs`). */
export function seededAugment(
  pipeline: Transform | readonly Transform[],
  seed: number,
  where: string,
  name: string,
): { augment: <T extends ImageBatch>(batch: T) => T; rng: Rng } {
  const transform = Array.isArray(pipeline) ? compose(...pipeline) : (pipeline as Transform);
  const rng = createRng(seed);
  const augment = <T extends ImageBatch>(batch: T): T => {
    checkBatch(batch, where, name);
    const out = transform.apply(batch, rng);
    if (out === batch) return { ...batch, data: batch.data.slice(), shape: [...batch.shape] };
    return { ...batch, data: out.data, shape: out.shape };
  };
  return { augment, rng };
}

/**
 * The seed of batch `index` in a stream seeded with `seed`: independent of how batches are scheduled.
 * `mixSeed` from `@fmnist/random`, under the name this package has always exported.
 */
export function batchSeed(seed: number, index: number): number {
  return mixSeed(seed, index);
}

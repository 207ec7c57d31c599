import { createRng } from '@fmnist/dataset';
import { checkBatch, type ImageBatch } from './image-batch.js';
import type { Transform } from './transform.js';

export interface Augmenter {
  <T extends ImageBatch>(batch: T): T;
  /** The generator state; pass it as `seed` to continue this exact stream (resumed training). */
  readonly state: number;
}

/** Applies `pipeline` in order to every batch, drawing from one seeded stream; never mutates its input. */
export function createAugmenter(
  pipeline: readonly Transform[],
  { seed = 0 }: { seed?: number } = {},
): Augmenter {
  const rng = createRng(seed);
  const augment = <T extends ImageBatch>(batch: T): T => {
    checkBatch(batch, 'augmenter');
    let out = batch;
    for (const transform of pipeline) out = transform.apply(out, rng);
    return out === batch ? ({ data: batch.data.slice(), shape: [...batch.shape] } as T) : out;
  };
  Object.defineProperty(augment, 'state', { get: () => rng.state });
  return augment as Augmenter;
}

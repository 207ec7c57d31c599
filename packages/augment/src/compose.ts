import type { Rng } from '@fmnist/random';
import type { ImageBatch } from './image-batch.js';
import type { Transform } from './transform.js';

/** One transform that applies `transforms` in order. */
export function compose(...transforms: Transform[]): Transform {
  return {
    name: 'compose',
    spec: { type: 'compose', options: { transforms: transforms.map((t) => t.spec) } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      let out = batch;
      for (const transform of transforms) out = transform.apply(out, rng);
      return out;
    },
  };
}

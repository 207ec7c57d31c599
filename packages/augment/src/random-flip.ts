import type { Rng } from '@fmnist/random';
import { AugmentError } from './errors.js';
import { type ImageBatch, like } from './image-batch.js';
import type { Transform } from './transform.js';

export interface RandomFlipOptions {
  /** Mirror left-right with probability 0.5. Default true. */
  horizontal?: boolean;
  /** Mirror top-bottom with probability 0.5. Default false. */
  vertical?: boolean;
}

/** Flips each image left-right and/or top-bottom with probability 0.5 (Keras `RandomFlip`). */
export function randomFlip({ horizontal = true, vertical = false }: RandomFlipOptions = {}): Transform {
  if (typeof horizontal !== 'boolean' || typeof vertical !== 'boolean') {
    throw new AugmentError('randomFlip: horizontal and vertical must be booleans');
  }
  return {
    name: 'randomFlip',
    spec: { type: 'randomFlip', options: { horizontal, vertical } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      for (let i = 0; i < n; i++) {
        const flipX = horizontal && rng.next() < 0.5;
        const flipY = vertical && rng.next() < 0.5;
        const base = i * size;
        for (let y = 0; y < h; y++) {
          const sy = flipY ? h - 1 - y : y;
          for (let x = 0; x < w; x++) {
            const sx = flipX ? w - 1 - x : x;
            const to = base + (y * w + x) * c;
            const from = base + (sy * w + sx) * c;
            for (let k = 0; k < c; k++) out.data[to + k] = batch.data[from + k]!;
          }
        }
      }
      return out;
    },
  };
}

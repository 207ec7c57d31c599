import type { Rng } from '@fmnist/random';
import { AugmentError } from './errors.js';
import { checkFillMode, type FillMode, mapIndex } from './fill.js';
import { type ImageBatch, like } from './image-batch.js';
import type { Transform } from './transform.js';

export interface RandomCropOptions {
  /** Pixels of padding on each side; the crop moves the image by up to this many pixels. */
  padding: number;
  /** What fills the uncovered border. Default 'constant'. */
  fillMode?: FillMode;
  /** The constant for fillMode 'constant'. Default 0. */
  cval?: number;
}

/**
 * Pads by `padding` and crops back to the original size at a random offset: a shift of each image by a
 * whole number of pixels in [-padding, padding] on each axis (torchvision's `RandomCrop(size, padding)`).
 */
export function randomCrop(options: RandomCropOptions): Transform {
  const { padding, cval = 0 } = options ?? ({} as RandomCropOptions);
  if (!Number.isInteger(padding) || padding < 0) {
    throw new AugmentError(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  }
  const fillMode = checkFillMode(options.fillMode ?? 'constant', 'randomCrop');
  return {
    name: 'randomCrop',
    spec: { type: 'randomCrop', options: { ...options } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      for (let i = 0; i < n; i++) {
        const dx = rng.int(2 * padding + 1) - padding;
        const dy = rng.int(2 * padding + 1) - padding;
        const base = i * size;
        for (let y = 0; y < h; y++) {
          const sy = y + dy;
          for (let x = 0; x < w; x++) {
            const sx = x + dx;
            const to = base + (y * w + x) * c;
            if (fillMode === 'constant' && (sy < 0 || sy >= h || sx < 0 || sx >= w)) {
              for (let k = 0; k < c; k++) out.data[to + k] = cval;
              continue;
            }
            const from = base + (mapIndex(sy, h, fillMode) * w + mapIndex(sx, w, fillMode)) * c;
            for (let k = 0; k < c; k++) out.data[to + k] = batch.data[from + k]!;
          }
        }
      }
      return out;
    },
  };
}

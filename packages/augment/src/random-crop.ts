import type { Rng } from '@fmnist/dataset';
import { AugmentError } from './errors.js';
import { type ImageBatch, like } from './image-batch.js';
import type { Transform } from './transform.js';

export interface RandomCropOptions {
  /** Pixels of padding on each side; the crop moves the image by up to this many pixels. */
  padding: number;
  /** What fills the uncovered border: a constant or the nearest edge pixel. Default 'constant'. */
  fillMode?: 'constant' | 'nearest';
  /** The constant for fillMode 'constant'. Default 0. */
  cval?: number;
}

/**
 * Pads by `padding` and crops back to the original size at a random offset: a shift of each image by a
 * whole number of pixels in [-padding, padding] on each axis (the torchvision `RandomCrop(padding=…)`).
 */
export function randomCrop({ padding, fillMode = 'constant', cval = 0 }: RandomCropOptions): Transform {
  if (!Number.isInteger(padding) || padding < 0) {
    throw new AugmentError(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  }
  if (fillMode !== 'constant' && fillMode !== 'nearest') {
    throw new AugmentError(`randomCrop: unknown fillMode '${fillMode}'; expected 'constant' or 'nearest'`);
  }
  return {
    name: 'randomCrop',
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      for (let i = 0; i < n; i++) {
        const dx = rng.int(2 * padding + 1) - padding;
        const dy = rng.int(2 * padding + 1) - padding;
        const base = i * size;
        for (let y = 0; y < h; y++) {
          let sy = y + dy;
          const rowInside = sy >= 0 && sy < h;
          if (!rowInside && fillMode === 'nearest') sy = sy < 0 ? 0 : h - 1;
          for (let x = 0; x < w; x++) {
            let sx = x + dx;
            const inside = rowInside && sx >= 0 && sx < w;
            const to = base + (y * w + x) * c;
            if (!inside && fillMode === 'constant') {
              for (let k = 0; k < c; k++) out.data[to + k] = cval;
              continue;
            }
            if (sx < 0) sx = 0;
            else if (sx >= w) sx = w - 1;
            const from = base + (sy * w + sx) * c;
            for (let k = 0; k < c; k++) out.data[to + k] = batch.data[from + k]!;
          }
        }
      }
      return out;
    },
  };
}

import type { Rng } from '@fmnist/random';
import { AugmentError } from './errors.js';
import { type ImageBatch, like } from './image-batch.js';
import type { Transform } from './transform.js';

export interface RandomErasingOptions {
  /** Chance that an image gets a rectangle erased. Default 0.5. */
  probability?: number;
  /** Erased area as a fraction of the image, [low, high]. Default [0.02, 0.33]. */
  area?: readonly [number, number];
  /** Height/width ratio of the rectangle, [low, high], drawn log-uniformly. Default [0.3, 3.3]. */
  aspectRatio?: readonly [number, number];
  /** The fill: a constant, or 'random' for uniform noise over the pixel range. Default 0. */
  value?: number | 'random';
}

// Defaults of Random Erasing (Zhong et al., 2017) as torchvision.transforms.RandomErasing has them.
const ERASING_DEFAULTS = {
  probability: 0.5,
  area: [0.02, 0.33],
  aspectRatio: [0.3, 3.3],
  attempts: 10,
} as const;

function checkPair(name: string, pair: readonly [number, number], min: number, max: number) {
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !(pair[0] >= min) ||
    !(pair[1] >= pair[0]) ||
    !(pair[1] <= max)
  ) {
    throw new AugmentError(
      `randomErasing: ${name} must be [low, high] with ${min} ≤ low ≤ high ≤ ${max}, got ${JSON.stringify(pair)}`,
    );
  }
}

/** Erases one random rectangle per image with the given probability (torchvision's RandomErasing). */
export function randomErasing(options: RandomErasingOptions = {}): Transform {
  const probability = options.probability ?? ERASING_DEFAULTS.probability;
  const area = options.area ?? ERASING_DEFAULTS.area;
  const aspectRatio = options.aspectRatio ?? ERASING_DEFAULTS.aspectRatio;
  const value = options.value ?? 0;
  if (!(probability >= 0 && probability <= 1)) {
    throw new AugmentError(`randomErasing: probability must be in [0, 1], got ${probability}`);
  }
  checkPair('area', area, 0, 1);
  checkPair('aspectRatio', aspectRatio, Number.MIN_VALUE, Number.POSITIVE_INFINITY);
  if (value !== 'random' && !Number.isFinite(value)) {
    throw new AugmentError(`randomErasing: value must be a number or 'random', got ${String(value)}`);
  }
  const [logLow, logHigh] = [Math.log(aspectRatio[0]), Math.log(aspectRatio[1])];
  return {
    name: 'randomErasing',
    spec: { type: 'randomErasing', options: { ...options } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      out.data.set(batch.data);
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      const max = out.data instanceof Uint8Array ? 255 : 1;
      for (let i = 0; i < n; i++) {
        if (rng.next() >= probability) continue;
        for (let attempt = 0; attempt < ERASING_DEFAULTS.attempts; attempt++) {
          const target = rng.uniform(area[0], area[1]) * h * w;
          const ratio = Math.exp(rng.uniform(logLow, logHigh));
          const eh = Math.round(Math.sqrt(target * ratio));
          const ew = Math.round(Math.sqrt(target / ratio));
          if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
          const top = rng.int(h - eh + 1);
          const left = rng.int(w - ew + 1);
          for (let y = top; y < top + eh; y++) {
            for (let x = left; x < left + ew; x++) {
              const at = i * size + (y * w + x) * c;
              for (let k = 0; k < c; k++) {
                const fill = value === 'random' ? rng.uniform(0, max) : value;
                out.data[at + k] = out.data instanceof Uint8Array ? Math.round(fill) : fill;
              }
            }
          }
          break;
        }
      }
      return out;
    },
  };
}

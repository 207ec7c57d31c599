import type { Rng } from '@fmnist/random';
import { type FactorRange, randomBrightness } from './color.js';
import { AugmentError } from './errors.js';
import { type ImageBatch, like } from './image-batch.js';
import { type RandomAffineOptions, randomAffine } from './random-affine.js';
import type { Transform } from './transform.js';

/**
 * Keras ImageDataGenerator's augmentation options (camelCase; the snake_case names work too): the
 * affine ones of `randomAffine`, which always interpolates bilinearly here, then flips and brightness.
 */
export interface ImageDataGeneratorOptions extends Omit<RandomAffineOptions, 'interpolation'> {
  horizontalFlip?: boolean;
  verticalFlip?: boolean;
  brightnessRange?: readonly [number, number];
}

const KNOWN = [
  'rotationRange',
  'widthShiftRange',
  'heightShiftRange',
  'shearRange',
  'zoomRange',
  'fillMode',
  'cval',
  'horizontalFlip',
  'verticalFlip',
  'brightnessRange',
] as const;

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function normalize(options: Record<string, unknown>): ImageDataGeneratorOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const name = camel(key);
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new AugmentError(`imageDataGenerator: unknown option '${key}'; supported: ${KNOWN.join(', ')}`);
    }
    out[name] = value;
  }
  return out as ImageDataGeneratorOptions;
}

/**
 * Keras's ImageDataGenerator as one transform: per image one composed affine (rotation, shifts, shear,
 * zoom; fill mode 'nearest' by default, as in Keras), then flips with p = 0.5, then brightness — the order
 * of Keras's `apply_transform`.
 */
export function imageDataGenerator(
  options: ImageDataGeneratorOptions | Record<string, unknown> = {},
): Transform {
  const o = normalize(options as Record<string, unknown>);
  const affine = randomAffine({
    rotationRange: o.rotationRange,
    widthShiftRange: o.widthShiftRange,
    heightShiftRange: o.heightShiftRange,
    shearRange: o.shearRange,
    zoomRange: o.zoomRange,
    fillMode: o.fillMode ?? 'nearest',
    cval: o.cval,
  });
  for (const flag of ['horizontalFlip', 'verticalFlip'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean')
      throw new AugmentError(`imageDataGenerator: ${flag} must be a boolean`);
  }
  const brightness = o.brightnessRange ? randomBrightness(o.brightnessRange as FactorRange) : undefined;
  return {
    name: 'imageDataGenerator',
    spec: { type: 'imageDataGenerator', options: { ...o } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const transformed = affine.apply(batch, rng);
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      const out = like(batch) as T;
      for (let i = 0; i < n; i++) {
        // Keras draws both flips for every image, whether or not they are enabled.
        const flipX = rng.next() < 0.5 && Boolean(o.horizontalFlip);
        const flipY = rng.next() < 0.5 && Boolean(o.verticalFlip);
        for (let y = 0; y < h; y++) {
          const sy = flipY ? h - 1 - y : y;
          for (let x = 0; x < w; x++) {
            const sx = flipX ? w - 1 - x : x;
            const to = i * size + (y * w + x) * c;
            const from = i * size + (sy * w + sx) * c;
            for (let k = 0; k < c; k++) out.data[to + k] = transformed.data[from + k]!;
          }
        }
      }
      return brightness ? brightness.apply(out, rng) : out;
    },
  };
}

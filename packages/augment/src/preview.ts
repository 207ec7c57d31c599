import { encode } from 'fast-png';
import { createAugmenter } from './augmenter.js';
import { AugmentError } from './errors.js';
import { checkBatch, type ImageBatch } from './image-batch.js';
import type { Transform } from './transform.js';

export interface PreviewOptions {
  /** Augmented copies per sample, beside the original. Default 8. */
  augmentations?: number;
  seed?: number;
  /** Each pixel drawn as scale x scale. Default 3. */
  scale?: number;
  /** The pixel value drawn white (255 for uint8 data, 1 for float). */
  maxValue?: number;
}

/** A PNG grid: one row per sample, the original first, then `augmentations` augmented versions. */
export function previewPng(
  samples: ImageBatch,
  pipeline: Transform | readonly Transform[],
  options: PreviewOptions = {},
): Uint8Array {
  checkBatch(samples, 'previewPng', 'samples.data');
  const { augmentations = 8, seed = 0, scale = 3 } = options;
  if (!Number.isInteger(augmentations) || augmentations < 0)
    throw new AugmentError(`previewPng: augmentations must be a non-negative integer`);
  if (!Number.isInteger(scale) || scale < 1)
    throw new AugmentError(`previewPng: scale must be a positive integer`);
  const [n, h, w, c] = samples.shape;
  if (c !== 1 && c !== 3) throw new AugmentError(`previewPng: images need 1 or 3 channels, got ${c}`);
  const maxValue = options.maxValue ?? (samples.data instanceof Uint8Array ? 255 : 1);
  const augment = createAugmenter(pipeline, { seed });
  const columns = [samples, ...Array.from({ length: augmentations }, () => augment(samples))];
  const gap = 2;
  const cell = (size: number) => size * scale + gap;
  const width = columns.length * cell(w) + gap;
  const height = n * cell(h) + gap;
  const pixels = new Uint8Array(width * height * 3).fill(64);
  columns.forEach((column, col) => {
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const from = ((i * h + Math.floor(y / scale)) * w + Math.floor(x / scale)) * c;
          const to = ((gap + i * cell(h) + y) * width + gap + col * cell(w) + x) * 3;
          for (let k = 0; k < 3; k++) {
            const v = column.data[from + (c === 3 ? k : 0)]!;
            pixels[to + k] = Math.max(0, Math.min(255, Math.round((255 * v) / maxValue)));
          }
        }
      }
    }
  });
  return encode({ width, height, data: pixels, channels: 3, depth: 8 });
}

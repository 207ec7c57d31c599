import { ClassifierError } from './errors.js';
import type { ImageShape } from './image-shape.js';

/**
 * Test-time augmentation: `flip` averages each image with its mirror; `flip-shift` adds the image moved
 * one pixel up, down, left and right (six views). Both match the training augmentation of the
 * `cnn-mlp-bn` recipe (flips and small shifts), so every view is an image the model has learnt to read.
 */
export type TestTimeAugmentation = 'flip' | 'flip-shift';

export const TTA_VIEWS: Record<TestTimeAugmentation, number> = { flip: 2, 'flip-shift': 6 };

// (dy, dx) moves of the `flip-shift` views after the identity and the mirror.
const SHIFTS: readonly [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];

export function checkTta(tta: unknown, method: string): TestTimeAugmentation | undefined {
  if (tta === undefined || tta === false) return undefined;
  if (tta === 'flip' || tta === 'flip-shift') return tta;
  throw new ClassifierError(
    `${method}: tta must be 'flip', 'flip-shift' or false, got ${JSON.stringify(tta)}`,
  );
}

/**
 * The views of `count` images of `shape` (channels last) as one batch, view-major: view v of image i at
 * (v * count + i). Pixels moved in from outside the image are 0 (Fashion-MNIST's black background; Keras's
 * `RandomTranslation` with `fill_mode: 'constant'`).
 */
export function ttaViews(
  pixels: Float32Array,
  count: number,
  tta: TestTimeAugmentation,
  { height, width, channels }: ImageShape,
): Float32Array {
  const row = width * channels;
  const size = height * row;
  const views = TTA_VIEWS[tta];
  const out = new Float32Array(views * count * size);
  out.set(pixels.subarray(0, count * size), 0);
  for (let i = 0; i < count; i++) {
    const from = i * size;
    const mirror = (count + i) * size;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const to = mirror + y * row + x * channels;
        const source = from + y * row + (width - 1 - x) * channels;
        for (let c = 0; c < channels; c++) out[to + c] = pixels[source + c]!;
      }
    if (tta === 'flip') continue;
    SHIFTS.forEach(([dy, dx], s) => {
      const to = ((2 + s) * count + i) * size;
      for (let y = 0; y < height; y++) {
        const sy = y - dy;
        if (sy < 0 || sy >= height) continue;
        // A row moved by dx is one contiguous run of values: copy it whole.
        const x0 = Math.max(0, dx);
        const x1 = Math.min(width, width + dx);
        out.set(
          pixels.subarray(from + sy * row + (x0 - dx) * channels, from + sy * row + (x1 - dx) * channels),
          to + y * row + x0 * channels,
        );
      }
    });
  }
  return out;
}

/** The mean of the views' probabilities per image (`views * count * classes` in, `count * classes` out). */
export function averageViews(probabilities: Float32Array, count: number, views: number): Float32Array {
  const classes = probabilities.length / (views * count);
  const out = new Float32Array(count * classes);
  for (let v = 0; v < views; v++)
    for (let j = 0; j < count * classes; j++) out[j]! += probabilities[v * count * classes + j]!;
  for (let j = 0; j < out.length; j++) out[j]! /= views;
  return out;
}

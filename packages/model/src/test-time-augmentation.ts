import { ClassifierError } from './errors.js';
import { IMAGE_SIZE } from './preprocess.js';

/**
 * Test-time augmentation: `flip` averages each image with its mirror; `flip-shift` adds the image moved
 * one pixel up, down, left and right (six views). Both match the training augmentation of the
 * `seed-bn` recipe (flips and small shifts), so every view is an image the model has learnt to read.
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
 * The views of `count` 28x28 images as one batch, view-major: view v of image i at (v * count + i).
 * Pixels moved in from outside the image are 0 (Fashion-MNIST's black background).
 */
export function ttaViews(pixels: Float32Array, count: number, tta: TestTimeAugmentation): Float32Array {
  const size = IMAGE_SIZE * IMAGE_SIZE;
  const views = TTA_VIEWS[tta];
  const out = new Float32Array(views * count * size);
  out.set(pixels, 0);
  for (let i = 0; i < count; i++) {
    const from = i * size;
    const mirror = (count + i) * size;
    for (let y = 0; y < IMAGE_SIZE; y++)
      for (let x = 0; x < IMAGE_SIZE; x++)
        out[mirror + y * IMAGE_SIZE + x] = pixels[from + y * IMAGE_SIZE + (IMAGE_SIZE - 1 - x)]!;
    if (tta === 'flip') continue;
    SHIFTS.forEach(([dy, dx], s) => {
      const to = ((2 + s) * count + i) * size;
      for (let y = 0; y < IMAGE_SIZE; y++) {
        const sy = y - dy;
        if (sy < 0 || sy >= IMAGE_SIZE) continue;
        for (let x = 0; x < IMAGE_SIZE; x++) {
          const sx = x - dx;
          if (sx >= 0 && sx < IMAGE_SIZE) out[to + y * IMAGE_SIZE + x] = pixels[from + sy * IMAGE_SIZE + sx]!;
        }
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

import { describe, expect, it } from 'vitest';
import { averageViews, checkTta, ttaViews } from './test-time-augmentation.js';

const at = (pixels: Float32Array, image: number, y: number, x: number) => pixels[image * 784 + y * 28 + x]!;

describe('test-time augmentation views', () => {
  const pixels = Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 997) / 997);

  it('puts each image, its mirror and its four one-pixel shifts in view-major order', () => {
    const views = ttaViews(pixels, 2, 'flip-shift');
    expect(views.length).toBe(6 * 2 * 784);
    for (const image of [0, 1]) {
      expect(at(views, image, 5, 7)).toBe(at(pixels, image, 5, 7));
      expect(at(views, 2 + image, 5, 7)).toBe(at(pixels, image, 5, 20)); // mirror
      expect(at(views, 4 + image, 5, 7)).toBe(at(pixels, image, 6, 7)); // moved up: row 5 shows row 6
      expect(at(views, 4 + image, 27, 7)).toBe(0); // and the bottom row comes in empty
      expect(at(views, 6 + image, 5, 7)).toBe(at(pixels, image, 4, 7)); // moved down
      expect(at(views, 8 + image, 5, 7)).toBe(at(pixels, image, 5, 8)); // moved left
      expect(at(views, 10 + image, 5, 7)).toBe(at(pixels, image, 5, 6)); // moved right
      expect(at(views, 10 + image, 5, 0)).toBe(0);
    }
    expect(ttaViews(pixels, 2, 'flip').length).toBe(2 * 2 * 784);
  });

  it('averages probabilities over the views of each image', () => {
    // 2 views x 2 images x 3 classes.
    const probabilities = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0);
    expect(Array.from(averageViews(probabilities, 2, 2))).toEqual([0.5, 0, 0.5, 0, 1, 0]);
  });

  it('names the accepted modes when given another', () => {
    expect(checkTta(false, 'classify')).toBeUndefined();
    expect(checkTta('flip', 'classify')).toBe('flip');
    expect(() => checkTta('rotate', 'classify')).toThrow(
      `classify: tta must be 'flip', 'flip-shift' or false, got "rotate"`,
    );
  });
});

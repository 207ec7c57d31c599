import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_SHAPE } from './fashion-mnist.js';
import { averageViews, checkTta, ttaViews } from './test-time-augmentation.js';

const at = (pixels: Float32Array, image: number, y: number, x: number) => pixels[image * 784 + y * 28 + x]!;

describe('test-time augmentation views', () => {
  const pixels = Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 997) / 997);

  it('puts each image, its mirror and its four one-pixel shifts in view-major order', () => {
    const views = ttaViews(pixels, 2, 'flip-shift', FASHION_MNIST_SHAPE);
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
    expect(ttaViews(pixels, 2, 'flip', FASHION_MNIST_SHAPE).length).toBe(2 * 2 * 784);
  });

  it('moves colour pixels whole, channels kept in order', () => {
    // One 2x3 RGB image: pixel (y, x) holds (10y + x) * 10 + channel.
    const rgb = Float32Array.from({ length: 18 }, (_, i) => {
      const [p, c] = [Math.floor(i / 3), i % 3];
      return (10 * Math.floor(p / 3) + (p % 3)) * 10 + c;
    });
    const shape = { height: 2, width: 3, channels: 3 };
    const views = ttaViews(rgb, 1, 'flip-shift', shape);
    const pixel = (view: number, y: number, x: number) =>
      Array.from(views.subarray(view * 18 + (y * 3 + x) * 3, view * 18 + (y * 3 + x) * 3 + 3));
    expect(pixel(1, 1, 0)).toEqual([120, 121, 122]); // mirror: (1, 0) shows (1, 2)
    expect(pixel(2, 0, 1)).toEqual([110, 111, 112]); // moved up: (0, 1) shows (1, 1)
    expect(pixel(2, 1, 1)).toEqual([0, 0, 0]);
    expect(pixel(5, 0, 2)).toEqual([10, 11, 12]); // moved right: (0, 2) shows (0, 1)
    expect(pixel(5, 0, 0)).toEqual([0, 0, 0]);
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

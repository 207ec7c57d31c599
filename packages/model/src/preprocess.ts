import { ClassifierError } from './errors.js';
import { FASHION_MNIST_SHAPE, isFashionMnistShape } from './fashion-mnist.js';
import type { ImageShape } from './image-shape.js';
import { resize } from './resize.js';

/** Pixels of any size and channel count (1 grey, 3 RGB, 4 RGBA), values 0–255. */
export interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/**
 * Converts a picture to the input of a model taking `shape` (default Fashion-MNIST's 28x28 grey), values in
 * [0, 1]: grey (luma, ITU-R BT.601 weights) for one channel, RGB for three; transparent pixels count as
 * white; area-averaged down (or bilinearly up) to the model's size. For Fashion-MNIST's shape only, an
 * image whose border is mostly light (a photo of clothing on a white table) is inverted, since its
 * garments are light on black; other shapes get the picture as it is.
 */
export function toModelInput(image: RawImage, shape: ImageShape = FASHION_MNIST_SHAPE): Float32Array {
  const { data, width, height, channels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ClassifierError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (![1, 3, 4].includes(channels))
    throw new ClassifierError(`image channels must be 1, 3 or 4, got ${channels}`);
  if (data.length !== width * height * channels) {
    throw new ClassifierError(
      `a ${width}x${height}x${channels} image needs ${width * height * channels} values, got ${data.length}`,
    );
  }
  const out = shape.channels;
  if (out !== 1 && out !== 3)
    throw new ClassifierError(
      `a picture converts to 1 (grey) or 3 (RGB) channels, but the model takes ${out}; pass a tensor or typed array`,
    );
  const pixels = new Float32Array(width * height * out);
  for (let i = 0; i < width * height; i++) {
    const at = i * channels;
    const alpha = channels === 4 ? data[at + 3]! / 255 : 1;
    const r = data[at]!;
    const g = channels === 1 ? r : data[at + 1]!;
    const b = channels === 1 ? r : data[at + 2]!;
    if (out === 1) pixels[i] = blend(channels === 1 ? r : 0.299 * r + 0.587 * g + 0.114 * b, alpha, i);
    else {
      pixels[3 * i] = blend(r, alpha, i);
      pixels[3 * i + 1] = blend(g, alpha, i);
      pixels[3 * i + 2] = blend(b, alpha, i);
    }
  }
  const resized = resize(pixels, width, height, out, shape.width, shape.height);
  if (isFashionMnistShape(shape)) invertLightBackground(resized, shape);
  return resized;
}

/** A 0–255 value in [0, 1], over white where transparent (so Fashion-MNIST's polarity check sees background). */
function blend(value: number, alpha: number, pixel: number): number {
  const v = (value * alpha + 255 * (1 - alpha)) / 255;
  if (!Number.isFinite(v)) throw new ClassifierError(`image pixel ${pixel} is not a finite number`);
  return v;
}

/** Fashion-MNIST shows light garments on black: a picture with a mostly light border is inverted. */
function invertLightBackground(pixels: Float32Array, { height, width }: ImageShape): void {
  let border = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || x === 0 || y === height - 1 || x === width - 1) {
        border += pixels[y * width + x]!;
        count++;
      }
    }
  }
  if (border / count > 0.5) for (let i = 0; i < pixels.length; i++) pixels[i] = 1 - pixels[i]!;
}

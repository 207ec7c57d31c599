import { ClassifierError } from './errors.js';

export const IMAGE_SIZE = 28;

/** Pixels of any size and channel count (1 grey, 3 RGB, 4 RGBA), values 0–255. */
export interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/**
 * Converts a picture to what the model saw in training: 28x28 grey in [0, 1], a light garment on a black
 * background. Colour becomes luma (ITU-R BT.601 weights), transparent pixels count as background, the
 * image is area-averaged down (or bilinearly up) to 28x28, and an image whose border is mostly light (a
 * photo of clothing on a white table) is inverted, since Fashion-MNIST garments are light on black.
 */
export function toModelInput(image: RawImage): Float32Array {
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
  const grey = new Float32Array(width * height);
  for (let i = 0; i < grey.length; i++) {
    const at = i * channels;
    const value =
      channels === 1 ? data[at]! : 0.299 * data[at]! + 0.587 * data[at + 1]! + 0.114 * data[at + 2]!;
    const alpha = channels === 4 ? data[at + 3]! / 255 : 1;
    // Transparent pixels become white, so the polarity check below treats them as background.
    const v = (value * alpha + 255 * (1 - alpha)) / 255;
    if (!Number.isFinite(v)) throw new ClassifierError(`image pixel ${i} is not a finite number`);
    grey[i] = v;
  }
  const out = resize(grey, width, height, IMAGE_SIZE, IMAGE_SIZE);
  let border = 0;
  let count = 0;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      if (y === 0 || x === 0 || y === IMAGE_SIZE - 1 || x === IMAGE_SIZE - 1) {
        border += out[y * IMAGE_SIZE + x]!;
        count++;
      }
    }
  }
  if (border / count > 0.5) for (let i = 0; i < out.length; i++) out[i] = 1 - out[i]!;
  return out;
}

/** Area average when shrinking, bilinear when growing. */
function resize(src: Float32Array, w: number, h: number, ow: number, oh: number): Float32Array {
  const out = new Float32Array(ow * oh);
  if (w === ow && h === oh) return src.slice();
  const sx = w / ow;
  const sy = h / oh;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      if (sx >= 1 && sy >= 1) {
        const x0 = x * sx;
        const x1 = x0 + sx;
        const y0 = y * sy;
        const y1 = y0 + sy;
        let sum = 0;
        let area = 0;
        for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
          const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
          for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
            const wx = Math.min(xx + 1, x1) - Math.max(xx, x0);
            sum += src[yy * w + xx]! * wx * wy;
            area += wx * wy;
          }
        }
        out[y * ow + x] = sum / area;
      } else {
        const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
        const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(x0 + 1, w - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const ax = fx - x0;
        const ay = fy - y0;
        const top = src[y0 * w + x0]! * (1 - ax) + src[y0 * w + x1]! * ax;
        const bottom = src[y1 * w + x0]! * (1 - ax) + src[y1 * w + x1]! * ax;
        out[y * ow + x] = top * (1 - ay) + bottom * ay;
      }
    }
  }
  return out;
}

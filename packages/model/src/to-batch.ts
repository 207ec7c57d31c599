import * as tf from '@tensorflow/tfjs-core';
import { ClassifierError } from './errors.js';
import { formatShape, type ImageShape, valuesPerImage } from './image-shape.js';
import { type RawImage, toModelInput } from './preprocess.js';

/**
 * What `classify` takes, for a model whose images are `height x width x channels` (its `inputShape`): a
 * tensor (`[h,w,c]` or `[n,h,w,c]`, and `[h,w]` for one channel; values in [0, 1]); pixels as a
 * `Uint8Array` (0–255) or `Float32Array` (0–1), channels last, one image or several back to back; a
 * `RawImage` of any size (converted as `toModelInput` says); an array of those; and in browsers
 * `ImageData`, canvas and image elements.
 */
export type ClassifierInput =
  | tf.Tensor
  | Uint8Array
  | Uint8ClampedArray
  | Float32Array
  | RawImage
  | BrowserImage
  | readonly ClassifierInput[];

/** The inputs that always hold one image: `classify` gives their predictions as one list. */
export type SingleImage = RawImage | BrowserImage | tf.Tensor2D | tf.Tensor3D;

/** The inputs that always hold a batch, even of one image: `classify` gives one list per image. */
export type ImageBatch = readonly ClassifierInput[] | tf.Tensor4D;

/** `ImageData`, canvas, image, video and bitmap elements (read with `tf.browser.fromPixels`). */
type BrowserImage = { width: number; height: number } & ({ data: Uint8ClampedArray } | object);

/** The public methods that take images, named in the errors about their input. */
export type ClassifierMethod = 'classify' | 'predict' | 'embed';

/** Images as one run of `count` images, channels last, values in [0, 1]. */
export interface Batch {
  pixels: Float32Array;
  count: number;
}

export function isTypedArray(input: unknown): input is Uint8Array | Uint8ClampedArray | Float32Array {
  return input instanceof Uint8Array || input instanceof Uint8ClampedArray || input instanceof Float32Array;
}

function isRawImage(input: unknown): input is RawImage {
  return typeof input === 'object' && input !== null && 'data' in input && 'channels' in input;
}

function isBrowserImage(input: unknown): boolean {
  const g = globalThis as Record<string, unknown>;
  return [
    'ImageData',
    'HTMLCanvasElement',
    'HTMLImageElement',
    'OffscreenCanvas',
    'ImageBitmap',
    'HTMLVideoElement',
  ].some((name) => typeof g[name] === 'function' && input instanceof (g[name] as new () => unknown));
}

/** The tensor shapes a model taking `shape` accepts, as an error message lists them. */
function tensorShapes({ height, width, channels }: ImageShape): string {
  const one = `[${height},${width},${channels}]`;
  const many = `[n,${height},${width},${channels}]`;
  return channels === 1 ? `[${height},${width}], ${one} or ${many}` : `${one} or ${many}`;
}

function tensorFits(dims: readonly number[], { height, width, channels }: ImageShape): boolean {
  const [h, w, c] = dims.length === 4 ? dims.slice(1) : dims;
  if (dims.length === 2) return channels === 1 && h === height && w === width;
  return (dims.length === 3 || dims.length === 4) && h === height && w === width && c === channels;
}

/** Normalizes any accepted input to `count` images of `shape`, values in [0, 1]. */
export function toBatch(input: ClassifierInput, shape: ImageShape, method: ClassifierMethod): Batch {
  const size = valuesPerImage(shape);
  if (Array.isArray(input)) {
    if (input.length === 0) throw new ClassifierError(`${method}: empty batch`);
    const parts = (input as readonly ClassifierInput[]).map((part) => toBatch(part, shape, method));
    const pixels = new Float32Array(parts.reduce((n, p) => n + p.pixels.length, 0));
    let offset = 0;
    for (const p of parts) {
      pixels.set(p.pixels, offset);
      offset += p.pixels.length;
    }
    return { pixels, count: pixels.length / size };
  }
  if (input instanceof tf.Tensor) {
    if (!tensorFits(input.shape, shape))
      throw new ClassifierError(
        `${method}: a tensor must be ${tensorShapes(shape)}, got [${input.shape.join(',')}]`,
      );
    if (input.size === 0) throw new ClassifierError(`${method}: empty batch`);
    return check(Float32Array.from(input.dataSync()), size, 'tensor', method);
  }
  if (isTypedArray(input)) {
    if (input.length === 0) throw new ClassifierError(`${method}: empty batch`);
    if (input.length % size !== 0) {
      throw new ClassifierError(
        `${method}: a typed array must hold ${formatShape(shape)} = ${size} values per image, got ${input.length} values`,
      );
    }
    if (input instanceof Float32Array) return check(input, size, 'Float32Array', method);
    // Bytes are always in range: no check, and a plain loop (Float32Array.from with a map is ~10x slower).
    const pixels = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) pixels[i] = input[i]! / 255;
    return { pixels, count: pixels.length / size };
  }
  if (isRawImage(input)) return { pixels: toModelInput(input, shape), count: 1 };
  if (isBrowserImage(input)) {
    // Not through tf.tidy: it would walk the returned typed array index by index looking for tensors.
    const image = tf.browser.fromPixels(input as ImageData, 4);
    let pixels: Uint8Array;
    try {
      pixels = image.dataSync() as Uint8Array;
    } finally {
      image.dispose();
    }
    const { width, height } = input as { width: number; height: number };
    return { pixels: toModelInput({ data: pixels, width, height, channels: 4 }, shape), count: 1 };
  }
  throw new ClassifierError(
    `${method}: unsupported input; pass a tensor, ${formatShape(shape)} typed array, RawImage, ImageData, canvas or image element`,
  );
}

function check(pixels: Float32Array, size: number, what: string, method: ClassifierMethod): Batch {
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (!Number.isFinite(v)) throw new ClassifierError(`${method}: ${what} value ${i} is ${v}`);
    if (v < 0 || v > 1 + 1e-6)
      throw new ClassifierError(`${method}: ${what} value ${i} is ${v}, outside [0, 1]`);
  }
  return { pixels, count: pixels.length / size };
}

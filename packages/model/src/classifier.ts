import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from './errors.js';
import { IMAGE_SIZE, type RawImage, toModelInput } from './preprocess.js';
import {
  averageViews,
  checkTta,
  type TestTimeAugmentation,
  TTA_VIEWS,
  ttaViews,
} from './test-time-augmentation.js';

/**
 * The model's output order: Fashion-MNIST's labels (github.com/zalandoresearch/fashion-mnist, "Labels"),
 * the same list as `@fmnist/dataset`'s `CLASS_NAMES` (a test keeps them equal), kept here so that loading
 * a classifier does not need the dataset package.
 */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export interface Prediction {
  classIndex: number;
  className: string;
  probability: number;
}

/**
 * What `classify` takes: a tensor (`[28,28]`, `[28,28,1]` or `[n,28,28,1]`, values in [0, 1]); 28x28 grey
 * pixels as a `Uint8Array` (0–255) or `Float32Array` (0–1), one image or several back to back; a
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
  | ClassifierInput[];
type BrowserImage = { width: number; height: number } & ({ data: Uint8ClampedArray } | object);

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

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

/** The public methods that take images, named in the errors about their input. */
export type ClassifierMethod = 'classify' | 'predict' | 'embed';

/** Normalizes any accepted input to `[n, 28, 28, 1]` float pixels in [0, 1]. */
export function toBatch(
  input: ClassifierInput,
  method: ClassifierMethod,
): { pixels: Float32Array; count: number } {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new ClassifierError(`${method}: empty batch`);
    const parts = input.map((part) => toBatch(part, method));
    const pixels = new Float32Array(parts.reduce((n, p) => n + p.pixels.length, 0));
    let offset = 0;
    for (const p of parts) {
      pixels.set(p.pixels, offset);
      offset += p.pixels.length;
    }
    return { pixels, count: pixels.length / PIXELS };
  }
  if (input instanceof tf.Tensor) {
    const shape = input.shape;
    const ok =
      (shape.length === 2 && shape[0] === IMAGE_SIZE && shape[1] === IMAGE_SIZE) ||
      (shape.length === 3 && shape[0] === IMAGE_SIZE && shape[1] === IMAGE_SIZE && shape[2] === 1) ||
      (shape.length === 4 && shape[1] === IMAGE_SIZE && shape[2] === IMAGE_SIZE && shape[3] === 1);
    if (!ok)
      throw new ClassifierError(
        `${method}: a tensor must be [28,28], [28,28,1] or [n,28,28,1], got [${shape.join(',')}]`,
      );
    if (input.size === 0) throw new ClassifierError(`${method}: empty batch`);
    return check(Float32Array.from(input.dataSync()), 'tensor', method);
  }
  if (input instanceof Uint8Array || input instanceof Uint8ClampedArray || input instanceof Float32Array) {
    if (input.length === 0) throw new ClassifierError(`${method}: empty batch`);
    if (input.length % PIXELS !== 0) {
      throw new ClassifierError(
        `${method}: a typed array must hold 28x28 = 784 pixels per image, got ${input.length} values`,
      );
    }
    if (input instanceof Float32Array) return check(input, 'Float32Array', method);
    // Bytes are always in range: no check, and a plain loop (Float32Array.from with a map is ~10x slower).
    const pixels = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) pixels[i] = input[i]! / 255;
    return { pixels, count: pixels.length / PIXELS };
  }
  if (isRawImage(input)) return { pixels: toModelInput(input), count: 1 };
  if (isBrowserImage(input)) {
    const pixels = tf.tidy(() => tf.browser.fromPixels(input as ImageData, 4).dataSync());
    const { width, height } = input as { width: number; height: number };
    return { pixels: toModelInput({ data: pixels, width, height, channels: 4 }), count: 1 };
  }
  throw new ClassifierError(
    `${method}: unsupported input; pass a tensor, 28x28 typed array, RawImage, ImageData, canvas or image element`,
  );
}

function check(pixels: Float32Array, what: string, method: ClassifierMethod) {
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (!Number.isFinite(v)) throw new ClassifierError(`${method}: ${what} value ${i} is ${v}`);
    if (v < 0 || v > 1 + 1e-6)
      throw new ClassifierError(`${method}: ${what} value ${i} is ${v}, outside [0, 1]`);
  }
  return { pixels, count: pixels.length / PIXELS };
}

export interface PredictOptions {
  /** Average each image's probabilities over flipped and shifted views (see `TestTimeAugmentation`). */
  tta?: TestTimeAugmentation | false;
  /** Images per forward pass (default 256): bounds memory however many images are passed. */
  batchSize?: number;
}

export interface ClassifyOptions extends PredictOptions {
  /** How many of the most probable classes to give (default 3). */
  topK?: number;
}

const DEFAULT_BATCH_SIZE = 256;

/**
 * Each image's outputs of `model`, `batchSize` images at a time; with `mode`, the mean over each image's
 * views, so memory stays bounded however many images are passed.
 */
function outputsInBatches(
  method: ClassifierMethod,
  model: tfl.LayersModel,
  { pixels, count }: { pixels: Float32Array; count: number },
  batchSize: number,
  mode?: TestTimeAugmentation,
): Float32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ClassifierError(`${method}: batchSize must be a positive integer, got ${batchSize}`);
  const views = mode ? TTA_VIEWS[mode] : 1;
  let outputs: Float32Array | undefined;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = pixels.subarray(start * PIXELS, (start + n) * PIXELS);
    const batch = mode ? ttaViews(images, n, mode) : images;
    const rows = tf.tidy(
      () =>
        (
          model.predict(tf.tensor4d(batch, [views * n, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor
        ).dataSync() as Float32Array,
    );
    const perImage = mode ? averageViews(rows, n, views) : rows;
    const size = perImage.length / n;
    outputs ??= new Float32Array(count * size);
    outputs.set(perImage, start * size);
  }
  return outputs!;
}

/** A loaded model with its class names: `classify`, `predict` and `embed`, no tensors left behind. */
export class Classifier {
  private embedder: tfl.LayersModel | undefined;
  private disposed = false;

  constructor(
    readonly model: tfl.LayersModel,
    readonly classNames: readonly string[] = FASHION_MNIST_CLASSES,
  ) {}

  /**
   * The penultimate activations (for the seed model, its 32-wide hidden Dense layer, after ReLU; for the
   * VGG model, its 128 globally pooled features) of the same inputs `classify` takes, in inference mode: features for nearest-neighbour search and for
   * fitting a new head (transfer learning). `count * size` values, row-major.
   */
  embed(
    input: ClassifierInput,
    { batchSize = DEFAULT_BATCH_SIZE }: Pick<PredictOptions, 'batchSize'> = {},
  ): { embeddings: Float32Array; count: number; size: number } {
    this.assertUsable('embed');
    const batch = this.batchOf(input, 'embed');
    this.embedder ??= penultimateModel(this.model);
    const embeddings = outputsInBatches('embed', this.embedder, batch, batchSize);
    return { embeddings, count: batch.count, size: embeddings.length / batch.count };
  }

  /**
   * Class probabilities, `count * classes` values, row-major. With `tta`, each image's probabilities are
   * the mean over its views (see `TestTimeAugmentation`): more accurate, `TTA_VIEWS[tta]` times the work.
   * Images go through the model `batchSize` at a time (default 256), so memory stays bounded however
   * many are passed.
   */
  predict(
    input: ClassifierInput,
    options: PredictOptions = {},
  ): { probabilities: Float32Array; count: number } {
    return this.probabilities('predict', input, options);
  }

  /**
   * The `topK` most probable classes: for one image an array of predictions, for several (an array
   * input, a batched tensor or typed array) one such array per image. `tta: 'flip' | 'flip-shift'`
   * averages over flipped and shifted views (see `predict`).
   */
  classify(
    input: ClassifierInput,
    { topK = 3, tta, batchSize }: ClassifyOptions = {},
  ): Prediction[] | Prediction[][] {
    this.assertUsable('classify');
    const k = this.classNames.length;
    if (!Number.isInteger(topK) || topK < 1 || topK > k)
      throw new ClassifierError(`classify: topK must be an integer in 1–${k}, got ${topK}`);
    const { probabilities, count } = this.probabilities('classify', input, { tta, batchSize });
    const rows = Array.from({ length: count }, (_, i) =>
      Array.from(probabilities.subarray(i * k, (i + 1) * k), (probability, classIndex) => ({
        classIndex,
        className: this.classNames[classIndex]!,
        probability,
      }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, topK),
    );
    const single =
      !Array.isArray(input) &&
      !(input instanceof tf.Tensor && input.rank === 4) &&
      !(isTypedArray(input) && count > 1);
    return single ? rows[0]! : rows;
  }

  /**
   * Frees the model's weights (and so those of the features model `embed` uses, which shares them).
   * Every later call throws a `ClassifierError`; a second `dispose()` does nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!weightsDisposed(this.model)) this.model.dispose();
  }

  /** Checked first by every method: tfjs's own error for a disposed model names a layer, not the cause. */
  private assertUsable(method: ClassifierMethod): void {
    if (this.disposed || weightsDisposed(this.model))
      throw new ClassifierError(`${method}: the classifier was disposed; load a new one`);
  }

  /**
   * Turns inputs this class does not read itself into ones it does; the Node classifier decodes PNG and
   * JPEG bytes here. `method` is the public method called, for error messages.
   */
  protected prepare(input: ClassifierInput, _method: ClassifierMethod): ClassifierInput {
    return input;
  }

  private batchOf(input: ClassifierInput, method: ClassifierMethod) {
    return toBatch(this.prepare(input, method), method);
  }

  private probabilities(
    method: ClassifierMethod,
    input: ClassifierInput,
    { tta, batchSize = DEFAULT_BATCH_SIZE }: PredictOptions,
  ): { probabilities: Float32Array; count: number } {
    this.assertUsable(method);
    const mode = checkTta(tta, method);
    const batch = this.batchOf(input, method);
    return {
      probabilities: outputsInBatches(method, this.model, batch, batchSize, mode),
      count: batch.count,
    };
  }
}

/** The model from its input to the layer that feeds its last one (skipping dropout, which is identity then). */
function penultimateModel(model: tfl.LayersModel): tfl.LayersModel {
  const layers = model.layers;
  let index = layers.length - 2;
  while (index > 0 && layers[index]!.getClassName() === 'Dropout') index--;
  const layer = layers[index];
  if (!layer || index < 1)
    throw new ClassifierError('embed: the model has no hidden layer before its output to take features from');
  // The new model shares the layers and weights of `model`, whose dispose() frees them.
  return tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor });
}

/** True once the model's weights are freed, by `Classifier.dispose()` or by `model.dispose()` directly. */
function weightsDisposed(model: tfl.LayersModel): boolean {
  try {
    for (const weight of model.weights) weight.read(); // throws once the variable is disposed
    return false;
  } catch {
    return true;
  }
}

function isTypedArray(input: unknown): boolean {
  return input instanceof Uint8Array || input instanceof Uint8ClampedArray || input instanceof Float32Array;
}

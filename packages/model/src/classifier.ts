import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from './errors.js';
import { featuresModel } from './features-model.js';
import { type ImageShape, valuesPerImage } from './image-shape.js';
import { InferenceModel } from './inference-model.js';
import { checkClassNames, readSignature } from './model-signature.js';
import {
  averageViews,
  checkTta,
  type TestTimeAugmentation,
  TTA_VIEWS,
  ttaViews,
} from './test-time-augmentation.js';
import {
  type Batch,
  type ClassifierInput,
  type ClassifierMethod,
  type ImageBatch,
  isTypedArray,
  type SingleImage,
  toBatch,
} from './to-batch.js';

export type { ClassifierInput, ClassifierMethod, ImageBatch, SingleImage } from './to-batch.js';

export interface Prediction {
  classIndex: number;
  className: string;
  probability: number;
}

export interface PredictOptions {
  /** Average each image's probabilities over flipped and shifted views (see `TestTimeAugmentation`). */
  tta?: TestTimeAugmentation | false | undefined;
  /** Images per forward pass (default 256): bounds memory however many images are passed. */
  batchSize?: number | undefined;
}

export interface ClassifyOptions extends PredictOptions {
  /** How many of the most probable classes to give (default 3). */
  topK?: number | undefined;
  /**
   * `true`: one list per image, even for one image; `false`: the input must be one image, whose list is
   * returned. Default: one list for one image, lists for an array, an `[n,h,w,c]` tensor or a typed array
   * of several images. Types follow: a typed array, whose length alone says how many images it holds,
   * gives `Prediction[]` only with `batch: false`.
   */
  batch?: boolean | undefined;
}

export interface ClassifierOptions {
  /**
   * Run a copy of the model with each BatchNormalization folded into the Conv2D or Dense before it and the
   * activation after it fused in (conv → BN → ReLU as one fused convolution: fewer ops and passes over
   * memory, the same outputs within float rounding). Default true; `false` runs `model` as it is. The
   * copy is built in the constructor and again whenever the model's weights change; `model` is untouched.
   */
  foldBatchNorm?: boolean | undefined;
}

const DEFAULT_BATCH_SIZE = 256;

/**
 * Each image's outputs of `model`, `batchSize` images at a time; with `mode`, the mean over each image's
 * views, so memory stays bounded however many images are passed.
 */
function outputsInBatches(
  method: ClassifierMethod,
  model: tfl.LayersModel,
  { pixels, count }: Batch,
  { shape, feedShape }: { shape: ImageShape; feedShape: readonly number[] },
  batchSize: number,
  mode?: TestTimeAugmentation,
): Float32Array {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ClassifierError(`${method}: batchSize must be a positive integer, got ${batchSize}`);
  const size = valuesPerImage(shape);
  const views = mode ? TTA_VIEWS[mode] : 1;
  let outputs: Float32Array | undefined;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = pixels.subarray(start * size, (start + n) * size);
    const batch = mode ? ttaViews(images, n, mode, shape) : images;
    let rows: Float32Array;
    try {
      // tfjs-layers' predict splits its input into batches of 32 unless told otherwise: the batch is
      // given whole, so batchSize is the size of one forward pass as documented.
      rows = tf.tidy(
        () =>
          (
            model.predict(tf.tensor(batch, [views * n, ...feedShape]), {
              batchSize: views * n,
            }) as tf.Tensor
          ).dataSync() as Float32Array,
      );
    } catch (error) {
      throw new ClassifierError(`${method}: the model failed on a batch of ${views * n} images`, {
        cause: error,
      });
    }
    const perImage = mode ? averageViews(rows, n, views) : rows;
    const width = perImage.length / n;
    outputs ??= new Float32Array(count * width);
    outputs.set(perImage, start * width);
  }
  return outputs!;
}

/**
 * A loaded model with its class names: `classify`, `predict` and `embed`, no tensors left behind. Any
 * one-input image classifier works: the image size, channels and class count are read from the model.
 * `model` is the model given, to train, save or inspect; inference runs a copy with its BatchNorms
 * folded (see `ClassifierOptions.foldBatchNorm`), which `dispose()` frees with it.
 */
export class Classifier {
  /** One name per output; see the constructor for the defaults. */
  readonly classNames: readonly string[];
  /** The images the model takes (its input shape without the batch axis), e.g. `{ height: 28, width: 28, channels: 1 }`. */
  readonly inputShape: ImageShape;
  private readonly feedShape: readonly number[];
  private readonly inference: InferenceModel;
  private embedder: { of: tfl.LayersModel; features: tfl.LayersModel } | undefined;
  private disposed = false;

  /**
   * `model` must take `[null, height, width, channels]` (or `[null, height, width]`) images and give
   * `[null, classes]` probabilities. `classNames` must hold one name per class; without them, a 28x28 grey
   * model with ten outputs gets `FASHION_MNIST_CLASSES`, any other `'class 0'`, `'class 1'`, ….
   */
  constructor(
    readonly model: tfl.LayersModel,
    classNames?: readonly string[],
    { foldBatchNorm = true }: ClassifierOptions = {},
  ) {
    const signature = readSignature(model);
    this.inputShape = signature.inputShape;
    this.feedShape = signature.feedShape;
    this.classNames = checkClassNames(signature, classNames);
    if (typeof foldBatchNorm !== 'boolean')
      throw new ClassifierError(
        `Classifier: foldBatchNorm must be true, false or undefined, got ${JSON.stringify(foldBatchNorm)}`,
      );
    this.inference = new InferenceModel(model, foldBatchNorm);
  }

  /**
   * The features the model's classifier head reads (the input of its last layer with a kernel, usually
   * the final Dense: for the CNN-MLP its 32-wide hidden Dense layer after ReLU, for the VGG model its
   * 128 globally pooled features) of the same inputs `classify` takes, in inference mode: features for
   * nearest-neighbour search and for fitting a new head (transfer learning). `count * size` values,
   * row-major.
   */
  embed(
    input: ClassifierInput,
    { batchSize = DEFAULT_BATCH_SIZE }: Pick<PredictOptions, 'batchSize'> = {},
  ): { embeddings: Float32Array; count: number; size: number } {
    this.assertUsable('embed');
    const batch = this.batchOf(input, 'embed');
    const model = this.inference.current();
    // The features model shares the running model's layers, so it follows it when the copy is rebuilt.
    if (this.embedder?.of !== model) this.embedder = { of: model, features: featuresModel(model) };
    const embeddings = outputsInBatches('embed', this.embedder.features, batch, this.feed(), batchSize);
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
   * input, a batched tensor or typed array) one such array per image; `batch` forces either. The return
   * type follows the input: `Prediction[]` for a `RawImage`, a browser image, a rank 2 or 3 tensor or
   * `batch: false`; `Prediction[][]` for an array, a rank 4 tensor or `batch: true`; the union for a typed
   * array or a tensor of unknown rank. `tta: 'flip' | 'flip-shift'` averages over flipped and shifted views
   * (see `predict`).
   */
  classify(input: ClassifierInput, options: ClassifyOptions & { batch: true }): Prediction[][];
  classify(input: ClassifierInput, options: ClassifyOptions & { batch: false }): Prediction[];
  classify(input: ImageBatch, options?: ClassifyOptions): Prediction[][];
  classify(input: SingleImage, options?: ClassifyOptions): Prediction[];
  classify(input: ClassifierInput, options?: ClassifyOptions): Prediction[] | Prediction[][];
  classify(
    input: ClassifierInput,
    { topK = 3, tta, batchSize, batch }: ClassifyOptions = {},
  ): Prediction[] | Prediction[][] {
    this.assertUsable('classify');
    const k = this.classNames.length;
    if (!Number.isInteger(topK) || topK < 1 || topK > k)
      throw new ClassifierError(`classify: topK must be an integer in 1–${k}, got ${topK}`);
    if (batch !== undefined && typeof batch !== 'boolean')
      throw new ClassifierError(
        `classify: batch must be true, false or undefined, got ${JSON.stringify(batch)}`,
      );
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
    if (batch === false && count !== 1)
      throw new ClassifierError(`classify: batch is false, so the input must be one image, got ${count}`);
    const single =
      batch === false ||
      (batch === undefined &&
        !Array.isArray(input) &&
        !(input instanceof tf.Tensor && input.rank === 4) &&
        !(isTypedArray(input) && count > 1));
    return single ? rows[0]! : rows;
  }

  /**
   * Frees the model's weights and its folded copy's (and so those of the features model `embed` uses,
   * which shares them). Every later call throws a `ClassifierError`; a second `dispose()` does nothing.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inference.dispose();
    if (!weightsDisposed(this.model)) this.model.dispose();
  }

  /**
   * Turns inputs this class does not read itself into ones it does; the Node classifier decodes PNG and
   * JPEG bytes here. `method` is the public method called, for error messages.
   */
  protected prepare(input: ClassifierInput, _method: ClassifierMethod): ClassifierInput {
    return input;
  }

  /** Checked first by every method: tfjs's own error for a disposed model names a layer, not the cause. */
  private assertUsable(method: ClassifierMethod): void {
    if (this.disposed || weightsDisposed(this.model))
      throw new ClassifierError(`${method}: the classifier was disposed; load a new one`);
  }

  private batchOf(input: ClassifierInput, method: ClassifierMethod): Batch {
    return toBatch(this.prepare(input, method), this.inputShape, method);
  }

  private feed() {
    return { shape: this.inputShape, feedShape: this.feedShape };
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
      probabilities: outputsInBatches(method, this.inference.current(), batch, this.feed(), batchSize, mode),
      count: batch.count,
    };
  }
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

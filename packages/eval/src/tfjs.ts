import * as tf from '@tensorflow/tfjs-core';
import { checkImages, checkLabels } from './check-inputs.js';
import { EvaluationError } from './errors.js';
import type { Mistake } from './render-html.js';
import { type ClassificationReport, classificationReport } from './report.js';

/** Anything with `predict`: a tfjs `LayersModel` or `GraphModel`. */
export interface Predictor {
  predict(x: tf.Tensor, config?: object): tf.Tensor | tf.Tensor[];
}

export type Images =
  | { data: Uint8Array | Float32Array; shape: [number, number, number, number] }
  | { images: Uint8Array; count: number; height: number; width: number; channels: number };

export interface EvaluateOptions {
  /**
   * One name per class. Default: the class indices ('0', '1', …) for as many classes as the model
   * outputs. A model with one (sigmoid) output is a binary classifier: classes 0 and 1, p and 1 - p.
   */
  classNames?: readonly string[];
  /** Default 256. */
  batchSize?: number;
  topK?: number[];
  /** Divide uint8 pixels by 255 before predicting. Default true. */
  normalize?: boolean;
}

export interface Evaluation {
  report: ClassificationReport;
  predictions: Uint8Array;
  probabilities: Float32Array;
  misclassified: Mistake[];
  seconds: number;
  imagesPerSecond: number;
}

function asBatch(images: Images): {
  name: string;
  data: Uint8Array | Float32Array;
  shape: [number, number, number, number];
} {
  if ('shape' in images) return { name: 'images.data', data: images.data, shape: images.shape };
  return {
    name: 'images.images',
    data: images.images,
    shape: [images.count, images.height, images.width, images.channels],
  };
}

/**
 * Streams `images` through `model` in batches (bounded memory, no tensor left behind) and builds the
 * classification report, with the misclassified samples and the throughput.
 */
export async function evaluateClassifier(
  model: Predictor,
  images: Images,
  labels: ArrayLike<number>,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const { name, data, shape } = asBatch(images);
  checkImages(name, data, shape);
  const [n, h, w, c] = shape;
  const size = h * w * c;
  if (labels.length !== n)
    throw new EvaluationError(`evaluateClassifier: ${n} images but ${labels.length} labels`);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new EvaluationError(`evaluateClassifier: batchSize must be a positive integer, got ${batchSize}`);
  const scale = data instanceof Uint8Array && (options.normalize ?? true) ? 1 / 255 : 1;
  let k = 0;
  let binary = false;
  let probabilities = new Float32Array(0);
  const started = performance.now();
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const output = tf.tidy(() => {
      const pixels = new Float32Array(count * size);
      for (let i = 0; i < pixels.length; i++) pixels[i] = data[start * size + i]! * scale;
      const prediction = model.predict(tf.tensor4d(pixels, [count, h, w, c]));
      return Array.isArray(prediction) ? prediction[0]! : prediction;
    });
    const values = (await output.data()) as Float32Array;
    output.dispose();
    const perImage = values.length / count;
    if (!Number.isInteger(perImage) || perImage < 1)
      throw new EvaluationError(
        `evaluateClassifier: the model gave ${values.length} values for ${count} images; expected 1 or more per image`,
      );
    if (start === 0) {
      binary = perImage === 1;
      k = binary ? 2 : perImage;
      const named = options.classNames?.length;
      if (named !== undefined && named !== k) {
        throw new EvaluationError(
          `evaluateClassifier: the model gave ${perImage} output${perImage === 1 ? '' : 's'} per image ` +
            `(${binary ? 'a binary classifier, 2 classes' : `${k} classes`}), classNames has ${named}`,
        );
      }
      checkLabels(labels, k);
      probabilities = new Float32Array(n * k);
    }
    if (perImage !== (binary ? 1 : k))
      throw new EvaluationError(
        `evaluateClassifier: the model gave ${binary ? 1 : k} outputs per image, then ${perImage}`,
      );
    if (binary) {
      for (let i = 0; i < count; i++) {
        probabilities[(start + i) * 2] = 1 - values[i]!;
        probabilities[(start + i) * 2 + 1] = values[i]!;
      }
    } else probabilities.set(values, start * k);
  }
  const seconds = (performance.now() - started) / 1000;
  const predictions = new Uint8Array(n);
  const misclassified: Mistake[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j]! > probabilities[i * k + best]!) best = j;
    predictions[i] = best;
    if (best !== labels[i])
      misclassified.push({
        index: i,
        trueClass: labels[i]!,
        predictedClass: best,
        confidence: probabilities[i * k + best]!,
      });
  }
  const report = classificationReport(labels, predictions, {
    classNames: options.classNames ?? Array.from({ length: k }, (_, i) => String(i)),
    probabilities,
    topK: options.topK,
  });
  return { report, predictions, probabilities, misclassified, seconds, imagesPerSecond: n / seconds };
}

import { EvaluationError } from './errors.js';

type Shape = readonly [number, number, number, number];

/**
 * The checks `evaluateClassifier` makes before predicting: a usable shape, at least one image, and only
 * finite pixels. One NaN pixel otherwise turns into NaN probabilities (or, while training on the WASM
 * backend, silently corrupts the weights), reported far from its cause.
 */
export function checkImages(name: string, data: Uint8Array | Float32Array, shape: Shape): void {
  if (shape.length !== 4 || shape.some((d, i) => !Number.isInteger(d) || d < (i === 0 ? 0 : 1)))
    throw new EvaluationError(
      `evaluateClassifier: images shape must be [n, height, width, channels] with n ≥ 0 and positive sizes, got [${shape.join(', ')}]`,
    );
  const [n, h, w, c] = shape;
  if (n === 0)
    throw new EvaluationError(
      `evaluateClassifier: images holds no images (shape [${shape.join(', ')}]); expected at least 1`,
    );
  const size = h * w * c;
  if (data.length !== n * size)
    throw new EvaluationError(
      `evaluateClassifier: images of shape [${shape.join(', ')}] need ${n * size} values, got ${data.length}`,
    );
  // Integer arrays cannot hold NaN or ±Infinity; only floats need the pass.
  if (!(data instanceof Float32Array)) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for every finite v, NaN for NaN and ±Infinity: one subtraction, no call.
    if (v - v !== 0)
      throw new EvaluationError(
        `evaluateClassifier: ${name}[${i}] is ${v} (image ${Math.floor(i / size)}, pixel ${i % size}); expected finite pixel values`,
      );
  }
}

/** Labels are integer class indices below `classes` (known once the model has answered). */
export function checkLabels(labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new EvaluationError(
        `evaluateClassifier: labels[${i}] is ${label}, outside the ${classes} classes 0–${classes - 1} of the model`,
      );
  }
}

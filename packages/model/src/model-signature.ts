import type * as tfl from '@tensorflow/tfjs-layers';
import { ClassifierError } from './errors.js';
import { FASHION_MNIST_CLASSES, isFashionMnistShape } from './fashion-mnist.js';
import type { ImageShape } from './image-shape.js';

/** What a classifier needs to know of its model: the images it takes and how many classes it scores. */
export interface ModelSignature {
  inputShape: ImageShape;
  /** The model's input without the batch axis: `[h, w, c]`, or `[h, w]` for a grey model without a channel axis. */
  feedShape: readonly number[];
  classes: number;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.map(String).join(',')}]`;

/** Reads the input and output shapes of a one-input, one-output image classifier. */
export function readSignature(model: tfl.LayersModel): ModelSignature {
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new ClassifierError(
      `Classifier: model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  const input = model.inputs[0]!.shape;
  const feedShape = input.slice(1);
  if (
    (feedShape.length !== 2 && feedShape.length !== 3) ||
    !feedShape.every((n) => Number.isInteger(n) && (n as number) > 0)
  )
    throw new ClassifierError(
      `Classifier: model's input must be images of a fixed size, [null, height, width, channels] or [null, height, width], got ${shapeText(input)}`,
    );
  const [height, width, channels = 1] = feedShape as number[];
  const output = model.outputs[0]!.shape;
  const classes = output[1];
  if (output.length !== 2 || !Number.isInteger(classes) || (classes as number) < 1)
    throw new ClassifierError(
      `Classifier: model's output must be one score per class, [null, classes], got ${shapeText(output)}`,
    );
  return {
    inputShape: Object.freeze({ height: height!, width: width!, channels }),
    feedShape: feedShape as number[],
    classes: classes as number,
  };
}

/**
 * The class names a model gets when none are given: Fashion-MNIST's for a 28x28 grey model with ten
 * outputs (the shipped models, and models trained on the same data), otherwise `class 0`, `class 1`, …
 * (a Keras model knows only class indices; `classIndex` is the same number).
 */
export function defaultClassNames({ inputShape, classes }: ModelSignature): readonly string[] {
  if (isFashionMnistShape(inputShape) && classes === FASHION_MNIST_CLASSES.length)
    return FASHION_MNIST_CLASSES;
  return Object.freeze(Array.from({ length: classes }, (_, i) => `class ${i}`));
}

/** The names to use: `classNames` when given, one per output, else the defaults above. */
export function checkClassNames(
  signature: ModelSignature,
  classNames?: readonly string[],
): readonly string[] {
  if (classNames === undefined) return defaultClassNames(signature);
  if (classNames.length !== signature.classes)
    throw new ClassifierError(
      `Classifier: classNames has ${classNames.length} names, but the model has ${signature.classes} outputs; pass one name per output, or none`,
    );
  return Object.freeze([...classNames]);
}

import type { LayersModel } from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import type { LossSpec } from '../losses.js';
import { firstNonFinite } from './finite.js';

/**
 * Rejects a batch that does not fit the model (naming the argument and both shapes) or holds a value
 * that is not finite (naming the tensor, the first bad index, its sample and the value).
 */
export function checkBatch(
  where: string,
  model: LayersModel,
  loss: LossSpec,
  x: Float32Array,
  xShape: number[],
  y: Float32Array,
  yShape: number[],
): void {
  const shape = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'n').join(',')}]`;
  const fail = (message: string) => {
    throw new TrainingError(`${where}: ${message}`);
  };
  const count = xShape[0];
  if (count === undefined || !Number.isInteger(count) || count < 1)
    fail(`xShape ${shape(xShape)} must start with a positive batch size`);
  const inputShape = model.inputs[0]!.shape;
  const outputShape = model.outputs[0]!.shape;
  const fits = (given: number[], expected: readonly (number | null)[]) =>
    given.length === expected.length && expected.every((d, i) => i === 0 || d === null || d === given[i]);
  if (!fits(xShape, inputShape))
    fail(`x of the batch of ${count} has shape ${shape(xShape)}; the model takes ${shape(inputShape)}`);
  const classes = outputShape.at(-1);
  if (loss.type === 'sparseCategoricalCrossentropy') {
    const indices = yShape.length === 1 || (yShape.length === 2 && yShape[1] === 1);
    if (!indices || yShape[0] !== count)
      fail(
        `y of the batch of ${count} has shape ${shape(yShape)}; class indices need [${count}] or [${count},1]`,
      );
  } else {
    if (loss.type === 'categoricalCrossentropy' && yShape.length === 2 && yShape[1] === 1 && classes !== 1) {
      fail(
        `y of the batch of ${count} has shape ${shape(yShape)}: class indices (sparse labels) need ` +
          `loss 'sparseCategoricalCrossentropy'; categoricalCrossentropy takes one-hot labels of shape [${count},${classes}]`,
      );
    }
    if (!fits(yShape, outputShape) || yShape[0] !== count)
      fail(`y of the batch of ${count} has shape ${shape(yShape)}; the model outputs ${shape(outputShape)}`);
  }
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (x.length !== size(xShape))
    fail(`x has ${x.length} values; its shape ${shape(xShape)} needs ${size(xShape)}`);
  if (y.length !== size(yShape))
    fail(`y has ${y.length} values; its shape ${shape(yShape)} needs ${size(yShape)}`);
  for (const [name, values] of [
    ['x', x],
    ['y', y],
  ] as const) {
    const index = firstNonFinite(values);
    if (index >= 0) {
      const perSample = values.length / count!;
      fail(
        `${name} of the batch of ${count} holds ${values[index]} at index ${index} ` +
          `(sample ${Math.floor(index / perSample)}, element ${index % perSample}); training needs finite values`,
      );
    }
  }
}

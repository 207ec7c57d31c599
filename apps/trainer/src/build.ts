import { imageDataGenerator, randomCrop, randomErasing, randomFlip, type Transform } from '@fmnist/augment';
import { AdamWOptimizer, adamw, amsgrad, architectureOf, createModel, type Recipe } from '@fmnist/model';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** The model of a recipe, compiled with its optimizer. */
export function buildModel(recipe: Recipe, seed: number): tfl.LayersModel {
  const { batchNorm, dropout } = recipe.model;
  const model = createModel(architectureOf(recipe.model), { batchNorm, dropout, seed });
  model.compile({
    optimizer: buildOptimizer(recipe),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

function buildOptimizer(recipe: Recipe): tf.Optimizer {
  const { type, learningRate, weightDecay } = recipe.optimizer;
  if (type === 'amsgrad') return amsgrad({ learningRate, weightDecay });
  if (type === 'adamw') return adamw({ learningRate, weightDecay });
  return new AdamWOptimizer({ learningRate, weightDecay: weightDecay ?? 0 });
}

/** The augmentation pipeline of a recipe (empty for 'none'). */
export function buildAugmentation(recipe: Recipe): Transform[] {
  const augment = recipe.augment;
  if (augment.type === 'none') return [];
  if (augment.type === 'shiftFlip') {
    return [
      randomCrop({ padding: augment.padding }),
      ...(augment.horizontalFlip ? [randomFlip({ horizontal: true })] : []),
      ...(augment.erasing ? [randomErasing({ probability: augment.erasing.probability })] : []),
    ];
  }
  // Keras's ImageDataGenerator, as the report used it (nearest fill, Keras's default).
  const { rotationRange, widthShiftRange, heightShiftRange, zoomRange, horizontalFlip } = augment;
  return [
    imageDataGenerator({ rotationRange, widthShiftRange, heightShiftRange, zoomRange, horizontalFlip }),
  ];
}

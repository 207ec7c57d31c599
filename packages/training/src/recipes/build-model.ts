import { AdamWOptimizer, adamw, amsgrad, architectureOf, createModel, type Recipe } from '@fmnist/model';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossSpec } from '../losses.js';

/** The network of a recipe (initial weights from `seed`), compiled with its optimizer. */
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

/** The optimizer a recipe names, at its learning rate and weight decay. */
export function buildOptimizer(recipe: Recipe): tf.Optimizer {
  const { type, learningRate, weightDecay } = recipe.optimizer;
  if (type === 'amsgrad') return amsgrad({ learningRate, weightDecay });
  if (type === 'adamw') return adamw({ learningRate, weightDecay });
  return new AdamWOptimizer({ learningRate, weightDecay: weightDecay ?? 0 });
}

/** The loss a recipe trains with, for `DataParallelTrainer.create(model, { loss })`: its label smoothing too. */
export function recipeLoss(recipe: Recipe): LossSpec {
  return { type: 'categoricalCrossentropy', labelSmoothing: recipe.labelSmoothing };
}

// Recipes of @fmnist/model turned into what training needs, in browsers and Node alike. Needs the optional
// peers @fmnist/model, @fmnist/augment, @fmnist/callbacks and @fmnist/dataset (the other entries do not).
export { buildAugmentation } from './recipes/build-augmentation.js';
export { buildModel, buildOptimizer, recipeLoss } from './recipes/build-model.js';
export { distillationTargets } from './recipes/distillation-targets.js';
export {
  type RecipeCallbackOptions,
  type RecipeCallbacks,
  recipeCallbacks,
} from './recipes/recipe-callbacks.js';
export { type TrainingBatchesOptions, trainingBatches } from './recipes/training-batches.js';

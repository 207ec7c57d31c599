import { QUICK_RECIPE, type Recipe, VGG_RECIPE } from '@fmnist/model';
import type { RunSettings } from './protocol.js';

/** A recipe the Train tab offers, and where its starting weights come from. */
export interface DemoRecipe {
  label: string;
  recipe: Recipe;
  /** `seed`: new weights from the run's seed; `shipped`: the page's own model, trained further. */
  start: 'seed' | 'shipped';
}

/**
 * Fine-tuning the shipped VGG network: its own recipe at a tenth of the peak learning rate, so a short
 * run refines the weights instead of undoing them.
 */
const FINE_TUNE_RECIPE: Recipe = {
  ...VGG_RECIPE,
  name: 'fine-tune',
  description: 'the shipped VGG model trained further: its recipe at a tenth of the learning rate',
  optimizer: { ...VGG_RECIPE.optimizer, learningRate: 3e-4 },
  schedule: { type: 'oneCycle', maxLR: 3e-4 },
  epochs: 1,
};

/** Every recipe of the Train tab by name: the controls, the worker and the tests read this one object. */
export const DEMO_RECIPES = {
  quick: { label: 'quick: small CNN, a few minutes', recipe: QUICK_RECIPE, start: 'seed' },
  vgg: { label: 'vgg: the shipped architecture, from scratch', recipe: VGG_RECIPE, start: 'seed' },
  'fine-tune': { label: 'fine-tune the shipped model', recipe: FINE_TUNE_RECIPE, start: 'shipped' },
} as const satisfies Record<string, DemoRecipe>;

export type DemoRecipeName = keyof typeof DEMO_RECIPES;

/** The Train tab's defaults for `name`'s batch size and augmentation: the recipe's own. */
export function recipeDefaults(name: DemoRecipeName): Pick<RunSettings, 'batchSize' | 'augment'> {
  const { recipe } = DEMO_RECIPES[name];
  return { batchSize: recipe.batchSize, augment: recipe.augment.type !== 'none' };
}

/** The recipe a run trains with: the named one, with the run's epochs, batch size and augmentation. */
export function runRecipe(settings: RunSettings): Recipe {
  const { recipe } = DEMO_RECIPES[settings.recipe];
  return {
    ...recipe,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    augment: settings.augment ? recipe.augment : { type: 'none' },
  };
}

/** The run's settings in a few words, as the page shows them. */
export function describeSettings(settings: RunSettings, trainCount: number): string {
  return `${settings.recipe}, ${settings.epochs} epoch(s) of ${trainCount.toLocaleString('en')} images, batch ${settings.batchSize}, augmentation ${settings.augment ? 'on' : 'off'}, seed ${settings.seed}`;
}

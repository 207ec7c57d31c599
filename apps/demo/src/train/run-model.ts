import { buildModel, buildOptimizer } from '@fmnist/training/recipes';
import * as tfl from '@tensorflow/tfjs-layers';
import { DEMO_RECIPES, type DemoRecipeName } from './demo-recipes.js';

/** The compiled model a run starts from: new weights from `seed`, or the shipped model's. */
export async function runModel(
  name: DemoRecipeName,
  seed: number,
  shippedModelUrl: string,
): Promise<tfl.LayersModel> {
  const { recipe, start } = DEMO_RECIPES[name];
  if (start === 'seed') return buildModel(recipe, seed);
  const model = await tfl.loadLayersModel(shippedModelUrl);
  model.compile({
    optimizer: buildOptimizer(recipe),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

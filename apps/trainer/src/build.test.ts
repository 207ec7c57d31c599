import { QUICK_RECIPE, SEED_RECIPE } from '@fmnist/model';
import { describe, expect, it } from 'vitest';
import { buildAugmentation } from './build.js';
import { resolveConfig } from './config.js';

describe('recipes to pipelines', () => {
  it("uses Keras's ImageDataGenerator for the seed recipe and shifts + flips for quick", () => {
    expect(buildAugmentation(SEED_RECIPE).map((t) => t.spec)).toEqual([
      {
        type: 'imageDataGenerator',
        options: {
          rotationRange: 10,
          widthShiftRange: 0.1,
          heightShiftRange: 0.1,
          zoomRange: 0.1,
          horizontalFlip: true,
        },
      },
    ]);
    expect(buildAugmentation(QUICK_RECIPE).map((t) => t.name)).toEqual(['randomCrop', 'randomFlip']);
  });

  it('adds random erasing after shifts and flips when a recipe asks for it', () => {
    const recipe = {
      ...QUICK_RECIPE,
      augment: {
        type: 'shiftFlip' as const,
        padding: 2,
        horizontalFlip: true,
        erasing: { probability: 0.5 },
      },
    };
    const pipeline = buildAugmentation(recipe);
    expect(pipeline.map((t) => t.name)).toEqual(['randomCrop', 'randomFlip', 'randomErasing']);
    expect(pipeline[2]!.spec).toMatchObject({ options: { probability: 0.5 } });
  });

  it('--no-augment turns augmentation off, --augment back on, both together is an error', () => {
    expect(resolveConfig({ 'no-augment': true }).recipe.augment).toEqual({ type: 'none' });
    expect(buildAugmentation(resolveConfig({ 'no-augment': true }).recipe)).toEqual([]);
    expect(() => resolveConfig({ augment: true, 'no-augment': true })).toThrow(
      '--augment and --no-augment contradict each other',
    );
  });

  it('overrides recipe fields from flags', () => {
    const config = resolveConfig({
      recipe: 'seed-bn',
      epochs: '5',
      'batch-size': '64',
      lr: '0.002',
      seed: '9',
      workers: '1',
    });
    expect(config.recipe).toMatchObject({
      name: 'seed-bn',
      epochs: 5,
      batchSize: 64,
      schedule: { type: 'oneCycle', maxLR: 0.002 },
    });
    expect(config).toMatchObject({ seed: 9, workers: 1, backend: 'auto' });
  });
});

import { QUICK_RECIPE, REPORT_RECIPE } from '@fmnist/model';
import { describe, expect, it } from 'vitest';
import { buildAugmentation } from './build-augmentation.js';

describe('recipes to pipelines', () => {
  it("uses Keras's ImageDataGenerator for the report recipe and shifts + flips for quick", () => {
    expect(buildAugmentation(REPORT_RECIPE).map((t) => t.spec)).toEqual([
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

  it("is empty for augment 'none'", () => {
    expect(buildAugmentation({ ...QUICK_RECIPE, augment: { type: 'none' } })).toEqual([]);
  });
});

import { imageDataGenerator, randomCrop, randomErasing, randomFlip, type Transform } from '@fmnist/augment';
import type { Recipe } from '@fmnist/model';

/** The augmentation pipeline of a recipe (empty for 'none'), for `createAugmenter` of `@fmnist/augment`. */
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

import { randomBrightness, randomContrast } from './color.js';
import { compose } from './compose.js';
import { AugmentError } from './errors.js';
import { imageDataGenerator } from './image-data-generator.js';
import { randomAffine } from './random-affine.js';
import { randomCrop } from './random-crop.js';
import { randomErasing } from './random-erasing.js';
import { randomFlip } from './random-flip.js';
import type { Transform, TransformSpec } from './transform.js';

/** Rebuilds a transform from its `spec` (how worker threads get the same pipeline). */
export function transformFromSpec(spec: TransformSpec): Transform {
  const o = spec.options as never;
  switch (spec.type) {
    case 'randomAffine':
      return randomAffine(o);
    case 'randomCrop':
      return randomCrop(o);
    case 'randomFlip':
      return randomFlip(o);
    case 'randomErasing':
      return randomErasing(o);
    case 'randomBrightness':
      return randomBrightness((spec.options as { range: never }).range);
    case 'randomContrast':
      return randomContrast((spec.options as { range: never }).range);
    case 'imageDataGenerator':
      return imageDataGenerator(o);
    case 'compose':
      return compose(...(spec.options as { transforms: TransformSpec[] }).transforms.map(transformFromSpec));
    default:
      throw new AugmentError(`transformFromSpec: unknown transform type '${spec.type}'`);
  }
}

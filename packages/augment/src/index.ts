export { type Augmenter, batchSeed, createAugmenter } from './augmenter.js';
export { type FactorRange, randomBrightness, randomContrast } from './color.js';
export { compose } from './compose.js';
export { AugmentError } from './errors.js';
export { FILL_MODES, type FillMode } from './fill.js';
export { transformFromSpec } from './from-spec.js';
export type { ImageBatch, Pixels } from './image-batch.js';
export { type ImageDataGeneratorOptions, imageDataGenerator } from './image-data-generator.js';
export { type PreviewOptions, previewPng } from './preview.js';
export {
  type AffineParams,
  drawAffineParams,
  kerasAffineMatrix,
  type RandomAffineOptions,
  randomAffine,
  type ShiftRange,
} from './random-affine.js';
export { type RandomCropOptions, randomCrop } from './random-crop.js';
export { type RandomErasingOptions, randomErasing } from './random-erasing.js';
export { type RandomFlipOptions, randomFlip } from './random-flip.js';
export type { Transform, TransformSpec } from './transform.js';

export { type Augmenter, createAugmenter } from './augmenter.js';
export { AugmentError } from './errors.js';
export type { ImageBatch, Pixels } from './image-batch.js';
export { type RandomCropOptions, randomCrop } from './random-crop.js';
export { type RandomFlipOptions, randomFlip } from './random-flip.js';
export type { Transform } from './transform.js';

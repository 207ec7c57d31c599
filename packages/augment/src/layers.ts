// Importing this module registers the layers with tfjs's serialization, under Keras's class names,
// so models saved with them (from tfjs or converted from Keras) load.

export {
  RandomRotation,
  type RandomRotationArgs,
  RandomTranslation,
  type RandomTranslationArgs,
  RandomZoom,
  type RandomZoomArgs,
  type WarpLayerArgs,
} from './layers/affine-layers.js';
export {
  RandomBrightness,
  type RandomBrightnessArgs,
  RandomContrast,
  type RandomContrastArgs,
} from './layers/color-layers.js';
export { type FlipMode, RandomFlip, type RandomFlipLayerArgs } from './layers/random-flip-layer.js';
export type { RandomLayerArgs } from './layers/random-image-layer.js';

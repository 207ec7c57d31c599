import type { Rng } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import { AugmentError } from '../errors.js';
import { randomFlip } from '../random-flip.js';
import { RandomImageLayer, type RandomLayerArgs } from './random-image-layer.js';

const MODES = ['horizontal', 'vertical', 'horizontal_and_vertical'] as const;
export type FlipMode = (typeof MODES)[number];

export interface RandomFlipLayerArgs extends RandomLayerArgs {
  /** Keras's default `'horizontal_and_vertical'`: each axis flipped with probability 0.5. */
  mode?: FlipMode;
}

/** Keras `RandomFlip`. */
export class RandomFlip extends RandomImageLayer {
  static className = 'RandomFlip';
  readonly mode: FlipMode;
  private readonly flip;

  constructor(args: RandomFlipLayerArgs = {}) {
    super(args, ['mode']);
    this.mode = args.mode ?? 'horizontal_and_vertical';
    if (!MODES.includes(this.mode))
      throw new AugmentError(
        `RandomFlip: mode must be one of ${MODES.join(', ')}, got '${String(this.mode)}'`,
      );
    this.flip = randomFlip({ horizontal: this.mode !== 'vertical', vertical: this.mode !== 'horizontal' });
  }

  protected augment(data: Float32Array, shape: [number, number, number, number], rng: Rng) {
    return this.flip.apply({ data, shape }, rng).data as Float32Array;
  }

  override getConfig() {
    return { ...super.getConfig(), mode: this.mode };
  }
}
tf.serialization.registerClass(RandomFlip);

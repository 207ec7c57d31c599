import type { Rng } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import { randomContrast } from '../color.js';
import { AugmentError } from '../errors.js';
import type { Transform } from '../transform.js';
import { factorRange, RandomImageLayer, type RandomLayerArgs, uniform } from './random-image-layer.js';

function checkValueRange(where: string, value: unknown): [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !(value[0] < value[1])
  )
    throw new AugmentError(
      `${where}: valueRange must be [low, high] with low < high, got ${JSON.stringify(value)}`,
    );
  return [value[0], value[1]];
}

interface ColorLayerArgs extends RandomLayerArgs {
  factor: number | [number, number];
  /** The images' value range; outputs are clipped to it. Default [0, 255]. */
  valueRange?: [number, number];
}

/** The layers that change pixel values by a random factor, within a value range. */
abstract class ColorLayer extends RandomImageLayer {
  readonly factor: number | [number, number];
  readonly valueRange: [number, number];

  constructor(args: ColorLayerArgs, name: string) {
    super(args ?? ({} as ColorLayerArgs), ['factor', 'valueRange']);
    this.factor = args?.factor;
    this.valueRange = checkValueRange(name, args?.valueRange ?? [0, 255]);
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }
}

export interface RandomContrastArgs extends ColorLayerArgs {
  /** `f` → a contrast factor in [1 − f, 1 + f]; `[lower, upper]` → [1 − lower, 1 + upper]; each in [0, 1]. */
  factor: number | [number, number];
}

/** Keras `RandomContrast`: each image's channels move away from (or toward) their own mean. */
export class RandomContrast extends ColorLayer {
  static className = 'RandomContrast';
  private readonly contrast: Transform;

  constructor(args: RandomContrastArgs) {
    super(args, 'RandomContrast');
    const [lower, upper] = factorRange('RandomContrast', 'factor', this.factor, {
      min: 0,
      max: 1,
      symmetric: false,
    });
    this.contrast = randomContrast([1 - lower, 1 + upper]);
  }

  protected augment(data: Float32Array, shape: [number, number, number, number], rng: Rng) {
    // The same per-channel arithmetic as @fmnist/augment's randomContrast, then Keras 3's clipping.
    const out = this.contrast.apply({ data, shape }, rng).data as Float32Array;
    const [low, high] = this.valueRange;
    for (let p = 0; p < out.length; p++) out[p] = Math.min(high, Math.max(low, out[p]!));
    return out;
  }
}
tf.serialization.registerClass(RandomContrast);

export interface RandomBrightnessArgs extends ColorLayerArgs {
  /** `f` → a shift in [−f, f], `[lower, upper]` in that range, each in [−1, 1], times the width of `valueRange`. */
  factor: number | [number, number];
}

/** Keras `RandomBrightness`: adds one random amount to every pixel of an image. */
export class RandomBrightness extends ColorLayer {
  static className = 'RandomBrightness';
  private readonly range: [number, number];

  constructor(args: RandomBrightnessArgs) {
    super(args, 'RandomBrightness');
    this.range = factorRange('RandomBrightness', 'factor', this.factor);
  }

  protected augment(
    data: Float32Array,
    [n, height, width, channels]: [number, number, number, number],
    rng: Rng,
  ) {
    const size = height * width * channels;
    const [low, high] = this.valueRange;
    for (let i = 0; i < n; i++) {
      const delta = uniform(rng, this.range) * (high - low);
      for (let p = i * size; p < (i + 1) * size; p++)
        data[p] = Math.min(high, Math.max(low, data[p]! + delta));
    }
    return data;
  }
}
tf.serialization.registerClass(RandomBrightness);

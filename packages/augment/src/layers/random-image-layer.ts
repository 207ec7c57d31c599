import { createRng, type Rng } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AugmentError } from '../errors.js';

type Kwargs = Record<string, unknown>;

/** Options every layer here takes beside tfjs's own (`name`, `inputShape`, `dtype`, …). */
export interface RandomLayerArgs {
  /** Seed of the layer's random stream; without one, each layer draws its own. */
  seed?: number | null;
  name?: string;
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  dtype?: tf.DataType;
  trainable?: boolean;
}

/** Keys of a Keras config that tfjs layers do not take (Keras 3 adds them); dropped on load. */
const KERAS_ONLY = ['dataFormat', 'autoVectorize', 'valueRangeDefault'];

/**
 * A layer that augments images `[n, height, width, channels]` (channels last) while training and
 * passes them through at inference, as Keras's preprocessing layers do. Subclasses transform one
 * batch of pixels on the CPU side (the arithmetic of `@fmnist/augment`), drawing from a seeded stream.
 */
export abstract class RandomImageLayer extends tfl.layers.Layer {
  readonly seed: number | null;
  private readonly rng: Rng;

  constructor(args: RandomLayerArgs, own: readonly string[]) {
    const base: Kwargs = { ...args };
    for (const key of [...own, 'seed', ...KERAS_ONLY]) delete base[key];
    super(base);
    const dataFormat = (args as Kwargs).dataFormat;
    if (dataFormat !== undefined && dataFormat !== 'channels_last')
      throw new AugmentError(
        `${layerClassName(this)}: only dataFormat 'channels_last' is supported, got '${String(dataFormat)}'`,
      );
    const seed = args.seed ?? null;
    if (seed !== null && !(Number.isInteger(seed) && seed >= 0))
      throw new AugmentError(`${layerClassName(this)}: seed must be an integer ≥ 0, got ${String(seed)}`);
    this.seed = seed;
    this.rng = createRng(seed ?? Math.floor(Math.random() * 2 ** 31));
  }

  /** Augments one batch in place of a copy; `data` is a fresh array the subclass may overwrite. */
  protected abstract augment(
    data: Float32Array,
    shape: [number, number, number, number],
    rng: Rng,
  ): Float32Array;

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training) return tf.clone(x);
    return tf.tidy(() => {
      const batch = x.rank === 3 ? tf.expandDims(x, 0) : x;
      if (batch.rank !== 4)
        throw new AugmentError(
          `${this.getClassName()}: expects images [n, height, width, channels] or [height, width, channels], got shape [${x.shape.join(', ')}]`,
        );
      const shape = batch.shape as [number, number, number, number];
      const data = Float32Array.from(batch.dataSync());
      const out = tf.tensor4d(this.augment(data, shape, this.rng), shape, 'float32');
      return tf.cast(x.rank === 3 ? tf.squeeze(out, [0]) : out, x.dtype);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}

/** A Keras factor: `f` → [-f, f], or `[lower, upper]`; each bound within `[min, max]`. */
export function factorRange(
  where: string,
  name: string,
  value: unknown,
  { min = -1, max = 1, symmetric = true } = {},
): [number, number] {
  const pair = typeof value === 'number' ? (symmetric ? [-value, value] : [value, value]) : value;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) ||
    pair[0] > pair[1] ||
    (typeof value === 'number' && symmetric && value < 0)
  )
    throw new AugmentError(
      `${where}: ${name} must be a number or [lower, upper] with ${min} ≤ lower ≤ upper ≤ ${max}, got ${JSON.stringify(value)}`,
    );
  return [pair[0], pair[1]];
}

/** The registered class name (minifiers rename constructors). */
export function layerClassName(layer: object): string {
  return (layer.constructor as { className?: string }).className ?? 'layer';
}

/** A draw from `[low, high]` (`low` itself when the range is one value, as Keras's fixed factors are). */
export function uniform(rng: Rng, [low, high]: [number, number]): number {
  return low === high ? low : rng.uniform(low, high);
}

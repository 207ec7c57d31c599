import type { Rng } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';
import { AugmentError } from '../errors.js';
import { checkFillMode, type FillMode } from '../fill.js';
import { warpImage } from '../random-affine.js';
import {
  factorRange,
  layerClassName,
  RandomImageLayer,
  type RandomLayerArgs,
  uniform,
} from './random-image-layer.js';

/** Maps an output (row, col) to the input (row, col) it samples: row' = a·row + b·col + c, col' = d·row + e·col + f. */
type Matrix = [number, number, number, number, number, number, number, number, number];

export interface WarpLayerArgs extends RandomLayerArgs {
  /** Keras's default `'reflect'`; also `'wrap'`, `'nearest'`, `'constant'` (with `fillValue`). */
  fillMode?: FillMode;
  /** `'bilinear'` (default) or `'nearest'`. */
  interpolation?: 'bilinear' | 'nearest';
  /** The value of pixels outside the image with `fillMode: 'constant'`. Default 0. */
  fillValue?: number;
}

const WARP_KEYS = ['fillMode', 'interpolation', 'fillValue'];

/** The layers that resample each image through a random matrix (translation, rotation, zoom). */
abstract class WarpLayer extends RandomImageLayer {
  readonly fillMode: FillMode;
  readonly interpolation: 'bilinear' | 'nearest';
  readonly fillValue: number;

  constructor(args: WarpLayerArgs, own: readonly string[]) {
    super(args, [...own, ...WARP_KEYS]);
    const name = layerClassName(this);
    this.fillMode = checkFillMode(args.fillMode ?? 'reflect', name);
    this.interpolation = args.interpolation ?? 'bilinear';
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest')
      throw new AugmentError(
        `${name}: interpolation must be 'bilinear' or 'nearest', got '${String(this.interpolation)}'`,
      );
    this.fillValue = args.fillValue ?? 0;
    if (!Number.isFinite(this.fillValue))
      throw new AugmentError(`${name}: fillValue must be a finite number, got ${String(this.fillValue)}`);
  }

  protected abstract matrix(height: number, width: number, rng: Rng): Matrix;

  protected augment(
    data: Float32Array,
    [n, height, width, channels]: [number, number, number, number],
    rng: Rng,
  ) {
    const out = new Float32Array(data.length);
    const size = height * width * channels;
    for (let i = 0; i < n; i++) {
      const m = this.matrix(height, width, rng);
      warpImage(
        data,
        out,
        i * size,
        height,
        width,
        channels,
        m,
        this.fillMode,
        this.fillValue,
        this.interpolation === 'bilinear',
      );
    }
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      fillValue: this.fillValue,
    };
  }
}

export interface RandomTranslationArgs extends WarpLayerArgs {
  /** Fraction of the height: `f` shifts by up to ±f, `[lower, upper]` in that range; positive is down. */
  heightFactor: number | [number, number];
  /** Fraction of the width; positive is right. */
  widthFactor: number | [number, number];
}

/** Keras `RandomTranslation`. */
export class RandomTranslation extends WarpLayer {
  static className = 'RandomTranslation';
  readonly heightFactor: number | [number, number];
  readonly widthFactor: number | [number, number];
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(args: RandomTranslationArgs) {
    super(args ?? ({} as RandomTranslationArgs), ['heightFactor', 'widthFactor']);
    this.heightFactor = args?.heightFactor;
    this.widthFactor = args?.widthFactor;
    this.heightRange = factorRange('RandomTranslation', 'heightFactor', this.heightFactor);
    this.widthRange = factorRange('RandomTranslation', 'widthFactor', this.widthFactor);
  }

  protected matrix(height: number, width: number, rng: Rng): Matrix {
    const dy = uniform(rng, this.heightRange) * height;
    const dx = uniform(rng, this.widthRange) * width;
    return [1, 0, -dy, 0, 1, -dx, 0, 0, 1];
  }

  override getConfig() {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
tf.serialization.registerClass(RandomTranslation);

export interface RandomRotationArgs extends WarpLayerArgs {
  /** Fraction of a full turn: `f` rotates by up to ±f·2π, `[lower, upper]` in that range; positive is counter-clockwise. */
  factor: number | [number, number];
}

/** Keras `RandomRotation`: about the image centre. */
export class RandomRotation extends WarpLayer {
  static className = 'RandomRotation';
  readonly factor: number | [number, number];
  private readonly range: [number, number];

  constructor(args: RandomRotationArgs) {
    super(args ?? ({} as RandomRotationArgs), ['factor']);
    this.factor = args?.factor;
    this.range = factorRange('RandomRotation', 'factor', this.factor, { min: -Infinity, max: Infinity });
  }

  protected matrix(height: number, width: number, rng: Rng): Matrix {
    const angle = uniform(rng, this.range) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Keras's get_rotation_matrix, in (row, col) order: output (x, y) reads input
    // (cos·x − sin·y + xOffset, sin·x + cos·y + yOffset).
    const xOffset = (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2;
    const yOffset = (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2;
    return [cos, sin, yOffset, -sin, cos, xOffset, 0, 0, 1];
  }

  override getConfig() {
    return { ...super.getConfig(), factor: this.factor };
  }
}
tf.serialization.registerClass(RandomRotation);

export interface RandomZoomArgs extends WarpLayerArgs {
  /** `f` → [-f, f] or `[lower, upper]`, lower > -1: positive zooms out, negative zooms in (Keras's sign). */
  heightFactor: number | [number, number];
  /** The same for the width; without it, each image keeps its aspect ratio (the height's zoom). */
  widthFactor?: number | [number, number] | null;
}

/** Keras `RandomZoom`. */
export class RandomZoom extends WarpLayer {
  static className = 'RandomZoom';
  readonly heightFactor: number | [number, number];
  readonly widthFactor: number | [number, number] | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | undefined;

  constructor(args: RandomZoomArgs) {
    super(args ?? ({} as RandomZoomArgs), ['heightFactor', 'widthFactor']);
    this.heightFactor = args?.heightFactor;
    this.widthFactor = args?.widthFactor ?? null;
    const bounds = { min: -1 + 1e-9, max: Infinity };
    this.heightRange = factorRange('RandomZoom', 'heightFactor', this.heightFactor, bounds);
    this.widthRange =
      this.widthFactor === null
        ? undefined
        : factorRange('RandomZoom', 'widthFactor', this.widthFactor, bounds);
  }

  protected matrix(height: number, width: number, rng: Rng): Matrix {
    const zy = 1 + uniform(rng, this.heightRange);
    const zx = this.widthRange ? 1 + uniform(rng, this.widthRange) : zy;
    // Keras's get_zoom_matrix: output (x, y) reads input (zx·x + xOffset, zy·y + yOffset).
    return [zy, 0, ((height - 1) / 2) * (1 - zy), 0, zx, ((width - 1) / 2) * (1 - zx), 0, 0, 1];
  }

  override getConfig() {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}
tf.serialization.registerClass(RandomZoom);

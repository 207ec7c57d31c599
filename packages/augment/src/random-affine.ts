import type { Rng } from '@fmnist/random';
import { AugmentError } from './errors.js';
import { checkFillMode, type FillMode, mapIndex } from './fill.js';
import { type ImageBatch, like, type Pixels } from './image-batch.js';
import type { Transform } from './transform.js';

/** A shift range as Keras takes it: a fraction (< 1) or pixels (≥ 1); an integer or list: a discrete set. */
export type ShiftRange = number | readonly number[];

export interface RandomAffineOptions {
  /** Degrees; the angle is uniform in [-r, r]. */
  rotationRange?: number;
  widthShiftRange?: ShiftRange;
  heightShiftRange?: ShiftRange;
  /** Shear angle in degrees, uniform in [-r, r]. */
  shearRange?: number;
  /** z → [1 - z, 1 + z], or [low, high]; x and y zoom drawn independently. */
  zoomRange?: number | readonly [number, number];
  fillMode?: FillMode;
  cval?: number;
  interpolation?: 'nearest' | 'bilinear';
}

/** The parameters of one image's transform, as Keras's `get_random_transform` returns them. */
export interface AffineParams {
  theta: number;
  tx: number;
  ty: number;
  shear: number;
  zx: number;
  zy: number;
}

type Matrix = [number, number, number, number, number, number, number, number, number];

const multiply = (a: Matrix, b: Matrix): Matrix => {
  const out = new Array(9).fill(0) as Matrix;
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++)
      for (let k = 0; k < 3; k++) out[r * 3 + c] = out[r * 3 + c]! + a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
};

/**
 * The 3x3 matrix Keras's `apply_affine_transform` builds (keras_preprocessing/image/
 * affine_transformations.py): rotation · shift · shear · zoom, re-centred by
 * `transform_matrix_offset_center` with o = size / 2 + 0.5. It maps output (row, col) to input (row, col),
 * as scipy.ndimage.affine_transform reads it. `undefined` when every parameter is the identity.
 */
export function kerasAffineMatrix(p: AffineParams, height: number, width: number): Matrix | undefined {
  let m: Matrix | undefined;
  const then = (next: Matrix) => {
    m = m ? multiply(m, next) : next;
  };
  if (p.theta !== 0) {
    const t = (p.theta * Math.PI) / 180;
    then([Math.cos(t), -Math.sin(t), 0, Math.sin(t), Math.cos(t), 0, 0, 0, 1]);
  }
  if (p.tx !== 0 || p.ty !== 0) then([1, 0, p.tx, 0, 1, p.ty, 0, 0, 1]);
  if (p.shear !== 0) {
    const s = (p.shear * Math.PI) / 180;
    then([1, -Math.sin(s), 0, 0, Math.cos(s), 0, 0, 0, 1]);
  }
  if (p.zx !== 1 || p.zy !== 1) then([p.zx, 0, 0, 0, p.zy, 0, 0, 0, 1]);
  if (!m) return undefined;
  const ox = height / 2 + 0.5;
  const oy = width / 2 + 0.5;
  return multiply(multiply([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
}

function checkRange(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AugmentError(`randomAffine: ${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

function checkShift(name: string, value: ShiftRange | undefined): ShiftRange {
  if (value === undefined) return 0;
  if (Array.isArray(value)) {
    if (value.length === 0 || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new AugmentError(`randomAffine: ${name} as a list must hold finite numbers`);
    }
    return value;
  }
  return checkRange(name, value);
}

function zoomBounds(value: RandomAffineOptions['zoomRange']): [number, number] {
  if (value === undefined) return [1, 1];
  const [low, high] = typeof value === 'number' ? [1 - value, 1 + value] : value;
  if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
    throw new AugmentError(
      `randomAffine: zoomRange must be a non-negative number or [low, high], got ${value}`,
    );
  }
  if (!(low! > 0) || !(high! >= low!) || !Number.isFinite(high)) {
    throw new AugmentError(
      `randomAffine: zoomRange must give zooms > 0 with low ≤ high, got [${low}, ${high}]`,
    );
  }
  return [low!, high!];
}

/** Keras's draw of one shift (random_transform): discrete sets for integers and lists, else uniform. */
function drawShift(range: ShiftRange, size: number, rng: Rng): number {
  if (range === 0) return 0;
  let shift: number;
  if (Array.isArray(range)) {
    shift = range[rng.int(range.length)]! * (rng.next() < 0.5 ? -1 : 1);
  } else if (Number.isInteger(range)) {
    // np.random.choice(n) picks from 0..n-1, then a random sign: values in -(n-1)..(n-1).
    shift = rng.int(range as number) * (rng.next() < 0.5 ? -1 : 1);
  } else {
    shift = rng.uniform(-(range as number), range as number);
  }
  const max = Array.isArray(range) ? Math.max(...range.map(Math.abs)) : (range as number);
  return max < 1 ? shift * size : shift;
}

/** Resamples one image through `m` (output → input coordinates) into `out`. */
export function warpImage(
  input: Pixels,
  out: Pixels,
  offset: number,
  height: number,
  width: number,
  channels: number,
  m: Matrix,
  fillMode: FillMode,
  cval: number,
  bilinear: boolean,
): void {
  // Assigning to a clamped view rounds and clamps to 0–255 for uint8 output, without per-pixel calls.
  const target =
    out instanceof Uint8Array ? new Uint8ClampedArray(out.buffer, out.byteOffset, out.length) : out;
  if (channels === 1 && bilinear) {
    warpGreyBilinear(input, target, offset, height, width, m, fillMode, cval);
    return;
  }
  const [a, b, c, d, e, f] = m;
  const constant = fillMode === 'constant';
  const rowStride = width * channels;
  for (let y = 0; y < height; y++) {
    let sy = a * y + c;
    let sx = d * y + f;
    for (let x = 0; x < width; x++, sy += b, sx += e) {
      const to = offset + (y * width + x) * channels;
      if (constant && (sy < -1e-6 || sy > height - 1 + 1e-6 || sx < -1e-6 || sx > width - 1 + 1e-6)) {
        for (let k = 0; k < channels; k++) target[to + k] = cval;
        continue;
      }
      if (!bilinear) {
        const iy = mapIndex(Math.floor(sy + 0.5), height, fillMode);
        const ix = mapIndex(Math.floor(sx + 0.5), width, fillMode);
        const from = offset + (iy * width + ix) * channels;
        for (let k = 0; k < channels; k++) target[to + k] = input[from + k]!;
        continue;
      }
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const wy = sy - y0;
      const wx = sx - x0;
      let r0: number;
      let r1: number;
      let c0: number;
      let c1: number;
      if (y0 >= 0 && y0 < height - 1 && x0 >= 0 && x0 < width - 1) {
        r0 = offset + y0 * rowStride;
        r1 = r0 + rowStride;
        c0 = x0 * channels;
        c1 = c0 + channels;
      } else {
        r0 = offset + mapIndex(y0, height, fillMode) * rowStride;
        r1 = offset + mapIndex(y0 + 1, height, fillMode) * rowStride;
        c0 = mapIndex(x0, width, fillMode) * channels;
        c1 = mapIndex(x0 + 1, width, fillMode) * channels;
      }
      for (let k = 0; k < channels; k++) {
        const top = input[r0 + c0 + k]! + (input[r0 + c1 + k]! - input[r0 + c0 + k]!) * wx;
        const bottom = input[r1 + c0 + k]! + (input[r1 + c1 + k]! - input[r1 + c0 + k]!) * wx;
        target[to + k] = top + (bottom - top) * wy;
      }
    }
  }
}

/**
 * The common case (one channel, bilinear) on its own, so the engine compiles a tight loop: interior
 * samples read their four neighbours directly; only border samples go through the fill mode.
 */
function warpGreyBilinear(
  input: Pixels,
  target: Uint8ClampedArray | Float32Array,
  offset: number,
  height: number,
  width: number,
  m: Matrix,
  fillMode: FillMode,
  cval: number,
): void {
  const [a, b, c, d, e, f] = m;
  const constant = fillMode === 'constant';
  const maxY = height - 1;
  const maxX = width - 1;
  let to = offset;
  for (let y = 0; y < height; y++) {
    let sy = a * y + c;
    let sx = d * y + f;
    for (let x = 0; x < width; x++, sy += b, sx += e, to++) {
      if (sy >= 0 && sx >= 0 && sy < maxY && sx < maxX) {
        const y0 = sy | 0;
        const x0 = sx | 0;
        const wy = sy - y0;
        const wx = sx - x0;
        const p = offset + y0 * width + x0;
        const p00 = input[p]!;
        const p01 = input[p + 1]!;
        const p10 = input[p + width]!;
        const p11 = input[p + width + 1]!;
        const top = p00 + (p01 - p00) * wx;
        target[to] = top + (p10 + (p11 - p10) * wx - top) * wy;
        continue;
      }
      if (constant && (sy < -1e-6 || sy > maxY + 1e-6 || sx < -1e-6 || sx > maxX + 1e-6)) {
        target[to] = cval;
        continue;
      }
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const wy = sy - y0;
      const wx = sx - x0;
      const r0 = offset + mapIndex(y0, height, fillMode) * width;
      const r1 = offset + mapIndex(y0 + 1, height, fillMode) * width;
      const c0 = mapIndex(x0, width, fillMode);
      const c1 = mapIndex(x0 + 1, width, fillMode);
      const top = input[r0 + c0]! + (input[r0 + c1]! - input[r0 + c0]!) * wx;
      const bottom = input[r1 + c0]! + (input[r1 + c1]! - input[r1 + c0]!) * wx;
      target[to] = top + (bottom - top) * wy;
    }
  }
}

/** Draws Keras's parameters for one image. */
export function drawAffineParams(
  o: Required<Pick<RandomAffineOptions, 'rotationRange' | 'shearRange'>> & {
    widthShiftRange: ShiftRange;
    heightShiftRange: ShiftRange;
    zoom: [number, number];
  },
  height: number,
  width: number,
  rng: Rng,
): AffineParams {
  const theta = o.rotationRange ? rng.uniform(-o.rotationRange, o.rotationRange) : 0;
  // Keras: tx moves along rows (height_shift_range), ty along columns (width_shift_range).
  const tx = drawShift(o.heightShiftRange, height, rng);
  const ty = drawShift(o.widthShiftRange, width, rng);
  const shear = o.shearRange ? rng.uniform(-o.shearRange, o.shearRange) : 0;
  const [zl, zh] = o.zoom;
  const [zx, zy] = zl === 1 && zh === 1 ? [1, 1] : [rng.uniform(zl, zh), rng.uniform(zl, zh)];
  return { theta, tx, ty, shear, zx, zy };
}

/**
 * One random affine transform per image, composed and resampled once, with Keras ImageDataGenerator's
 * parameter semantics and matrix. Identity parameters return the image unchanged.
 */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const rotationRange = checkRange('rotationRange', options.rotationRange ?? 0);
  const shearRange = checkRange('shearRange', options.shearRange ?? 0);
  const widthShiftRange = checkShift('widthShiftRange', options.widthShiftRange);
  const heightShiftRange = checkShift('heightShiftRange', options.heightShiftRange);
  const zoom = zoomBounds(options.zoomRange);
  const fillMode = checkFillMode(options.fillMode ?? 'nearest', 'randomAffine');
  const cval = options.cval ?? 0;
  if (!Number.isFinite(cval))
    throw new AugmentError(`randomAffine: cval must be a finite number, got ${cval}`);
  const interpolation = options.interpolation ?? 'bilinear';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
    throw new AugmentError(
      `randomAffine: interpolation must be 'nearest' or 'bilinear', got '${String(interpolation)}'`,
    );
  }
  const drawOptions = { rotationRange, shearRange, widthShiftRange, heightShiftRange, zoom };
  return {
    name: 'randomAffine',
    spec: { type: 'randomAffine', options: { ...options } },
    apply<T extends ImageBatch>(batch: T, rng: Rng): T {
      const out = like(batch) as T;
      const [n, h, w, c] = batch.shape;
      const size = h * w * c;
      for (let i = 0; i < n; i++) {
        const m = kerasAffineMatrix(drawAffineParams(drawOptions, h, w, rng), h, w);
        if (!m) out.data.set(batch.data.subarray(i * size, (i + 1) * size), i * size);
        else
          warpImage(batch.data, out.data, i * size, h, w, c, m, fillMode, cval, interpolation === 'bilinear');
      }
      return out;
    },
  };
}

import { createRng } from '@fmnist/random';
import { describe, expect, it } from 'vitest';
import { createAugmenter } from './augmenter.js';
import { mapIndex } from './fill.js';
import { imageDataGenerator } from './image-data-generator.js';
import { drawAffineParams, kerasAffineMatrix, randomAffine, warpImage } from './random-affine.js';
import { grey, rows } from './testing.js';

const image = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10, 11, 12],
  [13, 14, 15, 16],
];
const identity = { theta: 0, tx: 0, ty: 0, shear: 0, zx: 1, zy: 1 };

function warp(
  params: Partial<typeof identity>,
  fillMode: 'constant' | 'nearest' | 'reflect' | 'wrap',
  bilinear = false,
) {
  const input = grey(image);
  const out = new Uint8Array(16);
  warpImage(
    input.data,
    out,
    0,
    4,
    4,
    1,
    kerasAffineMatrix({ ...identity, ...params }, 4, 4)!,
    fillMode,
    0,
    bilinear,
  );
  return rows(out, 4, 4);
}

describe('kerasAffineMatrix (keras_preprocessing/image/affine_transformations.py)', () => {
  // transform_matrix_offset_center: o = size / 2 + 0.5, matrix' = T(o) · M · T(-o).
  const o = 4 / 2 + 0.5;

  it('is undefined for identity parameters, so the image is returned as is', () => {
    expect(kerasAffineMatrix(identity, 4, 4)).toBeUndefined();
    const batch = grey(image, 3);
    const out = createAugmenter(randomAffine({}), { seed: 1 })(batch);
    expect(out.data).toEqual(batch.data);
    expect(out.data).not.toBe(batch.data);
    expect(createAugmenter(imageDataGenerator({}), { seed: 2 })(batch).data).toEqual(batch.data);
  });

  it('builds the zoom matrix [[zx,0,o-zx·o],[0,zy,o-zy·o]]', () => {
    const m = kerasAffineMatrix({ ...identity, zx: 2, zy: 0.5 }, 4, 4)!;
    expect(m).toEqual([2, 0, o - 2 * o, 0, 0.5, o - 0.5 * o, 0, 0, 1]);
  });

  it('builds the shear matrix [[1,-sin s, sin s·o],[0,cos s, o-cos s·o]]', () => {
    const s = (30 * Math.PI) / 180;
    const m = kerasAffineMatrix({ ...identity, shear: 30 }, 4, 4)!;
    const expected = [1, -Math.sin(s), Math.sin(s) * o, 0, Math.cos(s), o - Math.cos(s) * o, 0, 0, 1];
    m.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it('shifts by whole pixels: tx moves rows, ty moves columns (output (r,c) reads input (r+tx, c+ty))', () => {
    expect(warp({ tx: 1 }, 'constant')).toEqual([
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
      [0, 0, 0, 0],
    ]);
    expect(warp({ ty: -1 }, 'nearest')).toEqual([
      [1, 1, 2, 3],
      [5, 5, 6, 7],
      [9, 9, 10, 11],
      [13, 13, 14, 15],
    ]);
    // Bilinear at whole-pixel offsets gives the same exact values.
    expect(warp({ tx: 1 }, 'constant', true)).toEqual(warp({ tx: 1 }, 'constant'));
  });

  it("rotates by 90 degrees about Keras's centre o = 2.5: output (r,c) reads input (5-c, r)", () => {
    // [[cos,-sin],[sin,cos]] at 90° applied to (r-o, c-o), plus o: row 5-c, col r; rows 4 and 5 are outside.
    expect(warp({ theta: 90 }, 'constant')).toEqual([
      [0, 0, 13, 9],
      [0, 0, 14, 10],
      [0, 0, 15, 11],
      [0, 0, 16, 12],
    ]);
  });

  it('fills outside pixels by each mode', () => {
    expect(warp({ tx: 2 }, 'reflect')[2]).toEqual([13, 14, 15, 16]);
    expect(warp({ tx: 2 }, 'reflect')[3]).toEqual([9, 10, 11, 12]);
    expect(warp({ tx: 2 }, 'wrap')[2]).toEqual([1, 2, 3, 4]);
    expect(warp({ tx: 2 }, 'nearest')[3]).toEqual([13, 14, 15, 16]);
    expect(warp({ tx: 2 }, 'constant')[3]).toEqual([0, 0, 0, 0]);
  });
});

describe('the single-channel bilinear fast path', () => {
  it.each(['constant', 'nearest', 'reflect', 'wrap'] as const)(
    'gives what the general path gives per channel, fill %s',
    (fillMode) => {
      const grey = Float32Array.from({ length: 64 }, (_, i) => (i * 37) % 255);
      const rgb = new Float32Array(64 * 3);
      grey.forEach((v, i) => rgb.set([v, v, v], i * 3));
      const m = kerasAffineMatrix({ theta: 23, tx: 1.3, ty: -2.2, shear: 7, zx: 0.9, zy: 1.2 }, 8, 8)!;
      const one = new Float32Array(64);
      const three = new Float32Array(64 * 3);
      warpImage(grey, one, 0, 8, 8, 1, m, fillMode, 5, true);
      warpImage(rgb, three, 0, 8, 8, 3, m, fillMode, 5, true);
      one.forEach((v, i) => expect(three[i * 3]).toBeCloseTo(v, 4));
    },
  );
});

describe('mapIndex (scipy.ndimage modes)', () => {
  it.each([
    ['nearest', [0, 0, 0, 1, 2, 3, 3, 3]],
    ['reflect', [1, 0, 0, 1, 2, 3, 3, 2]],
    ['wrap', [2, 3, 0, 1, 2, 3, 0, 1]],
  ] as const)('%s maps -2..5 for n = 4', (mode, expected) => {
    expect([-2, -1, 0, 1, 2, 3, 4, 5].map((i) => mapIndex(i, 4, mode))).toEqual(expected);
  });
});

describe('Keras parameter draws', () => {
  const draw = (o: Partial<Parameters<typeof drawAffineParams>[0]>, n = 2000) => {
    const rng = createRng(5);
    const full = {
      rotationRange: 0,
      shearRange: 0,
      widthShiftRange: 0,
      heightShiftRange: 0,
      zoom: [1, 1] as [number, number],
      ...o,
    };
    return Array.from({ length: n }, () => drawAffineParams(full, 28, 28, rng));
  };

  it('keeps rotation, shear and zoom within their ranges, zoom x and y independent', () => {
    const params = draw({ rotationRange: 15, shearRange: 5, zoom: [0.9, 1.1] });
    expect(Math.max(...params.map((p) => Math.abs(p.theta)))).toBeLessThanOrEqual(15);
    expect(Math.max(...params.map((p) => Math.abs(p.theta)))).toBeGreaterThan(14);
    expect(
      params.every((p) => Math.abs(p.shear) <= 5 && p.zx >= 0.9 && p.zx <= 1.1 && p.zy >= 0.9 && p.zy <= 1.1),
    ).toBe(true);
    expect(params.filter((p) => p.zx !== p.zy).length).toBe(params.length);
  });

  it('reads fractional shifts as a share of the size, and ≥ 1 as pixels', () => {
    const fraction = draw({ widthShiftRange: 0.1 });
    expect(Math.max(...fraction.map((p) => Math.abs(p.ty)))).toBeLessThanOrEqual(2.8);
    expect(Math.max(...fraction.map((p) => Math.abs(p.ty)))).toBeGreaterThan(2.5);
    const pixels = draw({ heightShiftRange: 3.5 });
    expect(Math.max(...pixels.map((p) => Math.abs(p.tx)))).toBeGreaterThan(3);
  });

  it('draws an integer range n from the discrete set -(n-1)..(n-1), as np.random.choice(n) with a sign', () => {
    const values = new Set(draw({ widthShiftRange: 3 }).map((p) => p.ty));
    expect([...values].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    const listed = new Set(draw({ heightShiftRange: [2, 4] }).map((p) => p.tx));
    expect([...listed].sort((a, b) => a - b)).toEqual([-4, -2, 2, 4]);
  });
});

describe('randomAffine options', () => {
  it.each([
    [{ rotationRange: -1 }, 'randomAffine: rotationRange must be a non-negative number, got -1'],
    [{ zoomRange: 1.5 }, 'randomAffine: zoomRange must give zooms > 0'],
    [{ zoomRange: [0, 1] as [number, number] }, 'randomAffine: zoomRange must give zooms > 0'],
    [{ fillMode: 'mirror' as never }, "randomAffine: unknown fillMode 'mirror'"],
    [{ interpolation: 'cubic' as never }, "randomAffine: interpolation must be 'nearest' or 'bilinear'"],
    [{ widthShiftRange: [] as number[] }, 'randomAffine: widthShiftRange as a list must hold finite numbers'],
  ])('rejects %o', (options, message) => {
    expect(() => randomAffine(options)).toThrow(message);
  });

  it('rejects a shape that does not match the data, naming it', () => {
    const augment = createAugmenter(randomAffine({ rotationRange: 10 }));
    expect(() => augment({ data: new Uint8Array(10), shape: [1, 4, 4, 1] })).toThrow(
      'augmenter: shape [1, 4, 4, 1] needs 16 values, data has 10',
    );
  });

  it('is reproducible for a seed and never mutates its input', () => {
    const batch = grey(image, 4);
    const before = batch.data.slice();
    const a = createAugmenter(randomAffine({ rotationRange: 30, zoomRange: 0.2 }), { seed: 9 })(batch);
    const b = createAugmenter(randomAffine({ rotationRange: 30, zoomRange: 0.2 }), { seed: 9 })(batch);
    const c = createAugmenter(randomAffine({ rotationRange: 30, zoomRange: 0.2 }), { seed: 10 })(batch);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(batch.data).toEqual(before);
  });

  it('works on float data and several channels', () => {
    const data = Float32Array.from({ length: 2 * 3 * 3 * 3 }, (_, i) => i / 54);
    const out = createAugmenter(randomAffine({ widthShiftRange: [1] }), { seed: 1 })({
      data,
      shape: [2, 3, 3, 3],
    });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data.length).toBe(data.length);
  });
});

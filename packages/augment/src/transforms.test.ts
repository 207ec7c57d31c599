import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { createAugmenter } from './augmenter.js';
import { randomBrightness, randomContrast } from './color.js';
import { compose } from './compose.js';
import { AugmentError } from './errors.js';
import { transformFromSpec } from './from-spec.js';
import { imageDataGenerator } from './image-data-generator.js';
import { previewPng } from './preview.js';
import { randomCrop } from './random-crop.js';
import { randomErasing } from './random-erasing.js';
import { randomFlip } from './random-flip.js';
import { grey, rows, scriptedRng } from './testing.js';

const image = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];
const mirrored = image.map((r) => [...r].reverse());

describe('createAugmenter', () => {
  it('returns every field of the batch it is given, with the augmented data and shape', () => {
    const batch = { ...grey(image, 4), labels: Uint8Array.of(3, 1, 4, 1) };
    const flip = createAugmenter(randomFlip(), { seed: 1 })(batch);
    expect(flip.labels).toEqual(Uint8Array.of(3, 1, 4, 1));
    expect(flip.shape).toEqual(batch.shape);
    const none = createAugmenter([], { seed: 1 })(batch);
    expect(none.labels).toEqual(batch.labels);
    expect(none.data).not.toBe(batch.data);
  });
});

describe('refusing non-finite pixels', () => {
  // Three 2x2x3 images; the first bad value is image 1, pixel 7 (index 19); image 2 has another.
  const floats = (bad: number) => {
    const data = Float32Array.from({ length: 3 * 12 }, (_, i) => i / 36);
    data[12 + 7] = bad;
    data[24] = bad;
    return { data, shape: [3, 2, 2, 3] as [number, number, number, number] };
  };
  const keras = () => imageDataGenerator({ rotationRange: 10, horizontalFlip: true });

  it('refuses NaN and ±Infinity in a Float32Array batch, naming the argument, image, pixel and value', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => createAugmenter(keras(), { seed: 1 })(floats(bad))).toThrow(
        new AugmentError(
          `augmenter: batch.data holds ${bad} at index 19 (image 1, pixel 7); expected finite pixel values`,
        ),
      );
      expect(() => previewPng(floats(bad), [randomFlip()])).toThrow(
        `previewPng: samples.data holds ${bad} at index 19 (image 1, pixel 7)`,
      );
    }
  });

  it('augments finite floats and uint8 as before', () => {
    const finite = floats(0.5);
    expect(createAugmenter(keras(), { seed: 1 })(finite).data).toHaveLength(finite.data.length);
    expect(createAugmenter([randomFlip()], { seed: 1 })(grey(image, 2)).data).toHaveLength(18);
  });
});

describe('randomFlip', () => {
  it('mirrors exactly, about half of the images', () => {
    const n = 2000;
    const out = createAugmenter(randomFlip(), { seed: 3 })(grey(image, n));
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const got = rows(out.data, 3, 3, i * 9);
      if (JSON.stringify(got) === JSON.stringify(mirrored)) flipped++;
      else expect(got).toEqual(image);
    }
    // Binomial(2000, 0.5): sd ≈ 22; 5 sd either side.
    expect(Math.abs(flipped - n / 2)).toBeLessThan(110);
  });

  it('flips top-bottom when asked', () => {
    const out = randomFlip({ horizontal: false, vertical: true }).apply(grey(image), scriptedRng([0.1]));
    expect(rows(out.data, 3, 3)).toEqual([...image].reverse());
  });
});

describe('randomCrop', () => {
  it('shifts by whole pixels with each fill mode', () => {
    // rng.int(2p+1) - p: 2 → dx = +1, 0 → dy = -1.
    const shift = (fillMode: 'constant' | 'nearest' | 'reflect' | 'wrap') =>
      rows(
        randomCrop({ padding: 1, fillMode, cval: 99 }).apply(grey(image), scriptedRng([0], [2, 0])).data,
        3,
        3,
      );
    expect(shift('constant')).toEqual([
      [99, 99, 99],
      [2, 3, 99],
      [5, 6, 99],
    ]);
    expect(shift('nearest')).toEqual([
      [2, 3, 3],
      [2, 3, 3],
      [5, 6, 6],
    ]);
    expect(shift('reflect')).toEqual([
      [2, 3, 3],
      [2, 3, 3],
      [5, 6, 6],
    ]);
    expect(shift('wrap')).toEqual([
      [8, 9, 7],
      [2, 3, 1],
      [5, 6, 4],
    ]);
  });

  it('rejects bad padding and fill modes', () => {
    expect(() => randomCrop({ padding: -1 })).toThrow(
      'randomCrop: padding must be a non-negative integer, got -1',
    );
    expect(() => randomCrop({ padding: 1, fillMode: 'x' as never })).toThrow(
      "randomCrop: unknown fillMode 'x'",
    );
  });
});

describe('randomErasing', () => {
  it('erases with the given probability and within the area range', () => {
    const n = 2000;
    const blank = Array.from({ length: 20 }, () => new Array(20).fill(200));
    const out = createAugmenter(randomErasing({ probability: 0.3, area: [0.05, 0.2] }), { seed: 4 })(
      grey(blank, n),
    );
    let erased = 0;
    for (let i = 0; i < n; i++) {
      const zeros = out.data.subarray(i * 400, (i + 1) * 400).filter((v) => v === 0).length;
      if (zeros > 0) {
        erased++;
        // Rounding the rectangle's sides moves its area a little off the drawn fraction.
        expect(zeros / 400).toBeGreaterThanOrEqual(0.03);
        expect(zeros / 400).toBeLessThanOrEqual(0.26);
      }
    }
    expect(Math.abs(erased / n - 0.3)).toBeLessThan(0.05);
  });

  it('rejects options out of range, naming them', () => {
    expect(() => randomErasing({ probability: 2 })).toThrow(
      'randomErasing: probability must be in [0, 1], got 2',
    );
    expect(() => randomErasing({ area: [0.5, 0.1] })).toThrow(/randomErasing: area must be \[low, high\]/);
  });
});

describe('brightness and contrast', () => {
  it('scales brightness within the range and clamps uint8', () => {
    const out = randomBrightness([2, 2]).apply(grey([[10, 200]]), scriptedRng([0.5]));
    expect(Array.from(out.data)).toEqual([20, 255]);
  });

  it('scales contrast about the image mean', () => {
    const out = randomContrast([0.5, 0.5]).apply(grey([[10, 30]]), scriptedRng([0.5]));
    expect(Array.from(out.data)).toEqual([15, 25]);
  });

  it('rejects negative ranges', () => {
    expect(() => randomBrightness(-0.1)).toThrow(/randomBrightness: range must be/);
    expect(() => randomContrast([0.5, 0.2])).toThrow(/randomContrast: range must be/);
  });
});

describe('imageDataGenerator', () => {
  it('takes Keras option names, camelCase or snake_case, and rejects unknown ones', () => {
    const a = createAugmenter(imageDataGenerator({ rotationRange: 10, horizontalFlip: true }), { seed: 1 });
    const b = createAugmenter(imageDataGenerator({ rotation_range: 10, horizontal_flip: true }), { seed: 1 });
    const batch = grey(image, 8);
    expect(a(batch).data).toEqual(b(batch).data);
    expect(() => imageDataGenerator({ featurewise_center: true })).toThrow(
      "imageDataGenerator: unknown option 'featurewise_center'",
    );
  });

  it('flips about half the images when horizontalFlip is set', () => {
    const out = createAugmenter(imageDataGenerator({ horizontalFlip: true }), { seed: 6 })(grey(image, 1000));
    let flipped = 0;
    for (let i = 0; i < 1000; i++) if (out.data[i * 9] === 3) flipped++;
    expect(Math.abs(flipped - 500)).toBeLessThan(80);
  });
});

describe('specs and composition', () => {
  it('rebuilds the same pipeline from its spec', () => {
    const pipeline = compose(
      randomCrop({ padding: 1 }),
      randomFlip(),
      imageDataGenerator({ zoomRange: 0.1 }),
    );
    const rebuilt = transformFromSpec(JSON.parse(JSON.stringify(pipeline.spec)));
    const batch = grey(image, 16);
    expect(createAugmenter(rebuilt, { seed: 2 })(batch).data).toEqual(
      createAugmenter(pipeline, { seed: 2 })(batch).data,
    );
  });
});

describe('previewPng', () => {
  it('draws samples × (1 + augmentations) cells', () => {
    const png = decode(previewPng(grey(image, 2), [randomFlip()], { augmentations: 3, scale: 2 }));
    // 4 columns of 3*2 + 2 gap pixels, plus the outer gap; 2 rows likewise.
    expect([png.width, png.height]).toEqual([4 * 8 + 2, 2 * 8 + 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { type ImageSet, selectSamples, toImageSet } from './image-set.js';

const images = (count: number) => ({
  dtype: 'uint8' as const,
  shape: [count, 2, 2],
  data: new Uint8Array(count * 4),
});
const labels = (values: number[]) => ({
  dtype: 'uint8' as const,
  shape: [values.length],
  data: Uint8Array.from(values),
});

describe('toImageSet', () => {
  it('builds a set with dimensions from the images header', () => {
    const set = toImageSet(images(3), labels([0, 9, 4]), 10, ['img', 'lab']);
    expect(set).toMatchObject({ count: 3, height: 2, width: 2, channels: 1 });
  });
  it('rejects a label outside the classes, naming the file and index', () => {
    expect(() => toImageSet(images(2), labels([0, 10]), 10, ['img', 'lab'])).toThrow(
      'lab: label 10 at index 1 is outside 0–9',
    );
  });
  it('rejects an image/label count mismatch', () => {
    expect(() => toImageSet(images(3), labels([0, 1]), 10, ['img', 'lab'])).toThrow(
      'lab: holds 2 labels but img holds 3 images',
    );
  });
  it('rejects images that are not 3-d uint8', () => {
    const floats = { dtype: 'float32' as const, shape: [1, 4], data: new Float32Array(4) };
    expect(() => toImageSet(floats, labels([0]), 10, ['img', 'lab'])).toThrow(/img: expected a 3-d uint8/);
  });
  it('reads 4-d IDX images [count, height, width, channels] with 1 or 3 channels', () => {
    const rgb = {
      dtype: 'uint8' as const,
      shape: [2, 2, 2, 3],
      data: Uint8Array.from({ length: 24 }, (_, i) => i),
    };
    const set = toImageSet(rgb, labels([1, 2]), 10, ['img', 'lab']);
    expect(set).toMatchObject({ count: 2, height: 2, width: 2, channels: 3 });
    expect(set.images).toBe(rgb.data);
    const grey = { dtype: 'uint8' as const, shape: [1, 2, 2, 1], data: new Uint8Array(4) };
    expect(toImageSet(grey, labels([0]), 10, ['img', 'lab']).channels).toBe(1);
    const rgba = { dtype: 'uint8' as const, shape: [1, 2, 2, 4], data: new Uint8Array(16) };
    expect(() => toImageSet(rgba, labels([0]), 10, ['img', 'lab'])).toThrow(
      'img: expected 1 or 3 channels (the last dimension of [count, height, width, channels]), found 4',
    );
  });
});

describe('a 3-channel ImageSet', () => {
  // Two 1x2 RGB images: image i holds 10 * i + 0…5.
  const rgb: ImageSet = {
    images: Uint8Array.from({ length: 12 }, (_, p) => 10 * Math.floor(p / 6) + (p % 6)),
    labels: Uint8Array.of(4, 7),
    count: 2,
    height: 1,
    width: 2,
    channels: 3,
  };

  it('selects whole images of height * width * 3 bytes', () => {
    const picked = selectSamples(rgb, [1, 0]);
    expect(Array.from(picked.images)).toEqual([10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5]);
    expect(Array.from(picked.labels)).toEqual([7, 4]);
    expect(picked.channels).toBe(3);
  });
});

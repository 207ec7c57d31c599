import { describe, expect, it } from 'vitest';
import { toImageSet } from './image-set.js';

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
});

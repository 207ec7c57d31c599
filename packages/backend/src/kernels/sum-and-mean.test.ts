import { describe, expect, it } from 'vitest';
import { maxRelativeDifference, onBackend, randomArray, tf } from '../testing/tf.js';

describe('Sum and Mean on wasm match the cpu backend', () => {
  it.each([
    ['Sum', [64, 28, 28, 8], [0, 1, 2], false],
    ['Sum', [5, 3, 7], [0, 1], true],
    ['Mean', [4, 9, 9, 6], [0, 1, 2], false],
    ['Mean', [3, 4], [0], true],
    // Middle axes: global average pooling, and a run inside a rank-5 tensor.
    ['Mean', [4, 7, 7, 16], [1, 2], false],
    ['Mean', [3, 5, 5, 8], [-3, -2], true],
    ['Sum', [2, 5, 6, 3, 4], [1, 2, 3], true],
    // Trailing axes, a gap, every axis, or a single row: the original kernel's cases.
    ['Sum', [3, 4, 5], [1, 2], false],
    ['Mean', [3, 4, 5], [0, 1, 2], false],
    ['Sum', [1, 4], [0], false],
    ['Mean', [2, 3, 4], [0, 2], false],
  ] as const)('%s of %j over axes %j, keepDims %s', async (op, shape, axes, keepDims) => {
    const values = randomArray(tf.util.sizeFromShape([...shape]), shape.length);
    const run = (backend: string) =>
      onBackend(backend, () => {
        const x = tf.tensor(values, [...shape]);
        const reduce = op === 'Sum' ? tf.sum : tf.mean;
        const out = reduce(x, [...axes], keepDims);
        x.dispose();
        return [out];
      });
    const [wasm] = await run('wasm');
    const [cpu] = await run('cpu');
    expect(wasm!.length).toBe(cpu!.length);
    expect(maxRelativeDifference(cpu!, wasm!)).toBeLessThan(1e-5);
  });
});

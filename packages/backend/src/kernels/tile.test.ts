import { describe, expect, it } from 'vitest';
import { errorOn, onBackend, randomArray, tf } from '../testing/tf.js';

// Row broadcasts (our copy) and other tilings (tfjs-wasm's own): leading and middle axes, one row,
// channels of one and of odd counts, int32, an empty result, and tilings of the last axis.
const cases: [number[], number[], 'float32' | 'int32'][] = [
  [[1, 1, 1, 32], [4, 5, 5, 1], 'float32'],
  [[3, 1, 1, 7], [1, 4, 3, 1], 'float32'],
  [[1, 1, 1], [2, 3, 1], 'float32'],
  [[2, 1, 5], [1, 0, 1], 'float32'],
  [[1, 3], [5, 1], 'int32'],
  [[2, 3], [2, 1], 'float32'],
  [[1, 4], [3, 2], 'float32'],
  [[2, 1, 3], [2, 2, 1], 'float32'],
];

describe('Tile on wasm', () => {
  it.each(cases)('matches cpu: x %j, reps %j, %s', async (shape, reps, dtype) => {
    const values = Array.from(randomArray(tf.util.sizeFromShape(shape), 7), (v) => Math.round(v * 100));
    const run = (backend: string) =>
      onBackend(backend, () => [tf.tidy(() => tf.tile(tf.tensor(values, shape, dtype), reps))]);
    const [ours] = await run('wasm');
    const [want] = await run('cpu');
    expect(Array.from(ours!)).toEqual(Array.from(want!));
    expect(ours!.length).toBe(tf.util.sizeFromShape(shape.map((s, i) => s * reps[i]!)));
  });

  it('rejects reps of the wrong length with the same error as tfjs on cpu', async () => {
    const attempt = (backend: string) => errorOn(backend, () => tf.tile(tf.ones([1, 3]), [2]));
    const onCpu = await attempt('cpu');
    expect(onCpu).not.toBe('no error');
    expect(await attempt('wasm')).toBe(onCpu);
  });
});

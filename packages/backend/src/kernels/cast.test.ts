import { describe, expect, it } from 'vitest';
import { tf } from '../testing/tf.js';

const buffers = () => (tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;

describe('Cast on wasm', () => {
  it('Cast to the same dtype shares too; to another dtype it converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1.5, -2.7, 3]);
    const before = buffers();
    const same = tf.cast(x, 'float32');
    expect(buffers()).toBe(before);
    const ints = tf.cast(x, 'int32');
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(Array.from(await same.data())).toEqual([1.5, -2.700000047683716, 3]);
    expect(Array.from(await ints.data())).toEqual([1, -2, 3]);
    tf.dispose([same, ints]);
  });
});

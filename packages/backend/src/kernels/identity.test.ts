import { describe, expect, it } from 'vitest';
import { tf } from '../testing/tf.js';

const buffers = () => (tf.memory() as tf.MemoryInfo & { numDataBuffers: number }).numDataBuffers;

describe('Identity on wasm', () => {
  it('shares the buffer (no copy), and the clone outlives the original', async () => {
    await tf.setBackend('wasm');
    const before = buffers();
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const copy = tf.clone(x);
    // The stock tfjs-wasm Identity allocates a second buffer and copies into it.
    expect(buffers() - before).toBe(1);
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(buffers()).toBe(before);
  });

  it('keeps a snapshot of a variable unchanged when the variable is assigned', async () => {
    await tf.setBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([7, 8, 9]));
    expect(Array.from(await snapshot.data())).toEqual([1, 2, 3]);
    expect(Array.from(await v.data())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });
});

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { toTensors } from './tfjs.js';

const set = {
  images: Uint8Array.from([0, 255, 51, 102, 0, 0, 0, 255]),
  labels: Uint8Array.from([3, 9]),
  count: 2,
  height: 2,
  width: 2,
  channels: 1 as const,
};

describe('toTensors', () => {
  it('gives [N,H,W,1] floats in [0,1] and one-hot labels', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const { xs, ys } = toTensors(set);
    expect(xs.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(await xs.data())).toEqual(Array.from(set.images, (v) => Math.fround(v / 255)));
    expect(ys.shape).toEqual([2, 10]);
    const picked = tf.argMax(ys, -1);
    expect(Array.from(await picked.data())).toEqual([3, 9]);
    picked.dispose();
    tf.dispose([xs, ys]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives int32 labels without one-hot and raw pixels without normalize', async () => {
    const { xs, ys } = toTensors(set, { oneHot: false, normalize: false });
    expect(ys.dtype).toBe('int32');
    expect(Array.from(await ys.data())).toEqual([3, 9]);
    expect((await xs.data())[1]).toBe(255);
    tf.dispose([xs, ys]);
  });

  it('rejects a set whose arrays do not match its count', () => {
    expect(() => toTensors({ ...set, count: 3 })).toThrow(/toTensors: set claims 3 samples/);
  });

  it('gives [N,H,W,3] for a 3-channel set, channels last as stored', async () => {
    const rgb = { ...set, images: Uint8Array.from({ length: 24 }, (_, i) => i * 10), channels: 3 as const };
    const { xs, ys } = toTensors(rgb, { normalize: false });
    expect(xs.shape).toEqual([2, 2, 2, 3]);
    expect(Array.from(await xs.data())).toEqual(Array.from(rgb.images));
    tf.dispose([xs, ys]);
  });

  it('rejects a set whose channels are not 1 or 3, naming set.channels', () => {
    const two = { ...set, images: new Uint8Array(16), channels: 2 as never };
    expect(() => toTensors(two)).toThrow(new DatasetError('toTensors: set.channels must be 1 or 3, got 2'));
  });
});

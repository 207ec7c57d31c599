import { beforeAll, describe, expect, it } from 'vitest';
import { randomArray, tf } from '../testing/tf.js';
import type { WasmBackendInternals } from './engine.js';
import { keptFilterBytes } from './packed-filters.js';
import { setWinogradPolicy } from './winograd.js';

// Batch 1 as inference runs it: 32 channels and more run Winograd F(4x4, 3x3) under `auto`, fewer the
// direct kernel.
const SHAPES = [
  // Bytes kept: F(4x4, 3x3)'s 36 positions x channels x outputs; the direct kernel's 9 taps x channels x outputs.
  { name: 'winograd', size: 7, inChannels: 32, outChannels: 64, keptBytes: 36 * 32 * 64 * 4 },
  { name: 'direct', size: 7, inChannels: 16, outChannels: 24, keptBytes: 9 * 16 * 24 * 4 },
] as const;

function backend(): WasmBackendInternals {
  return tf.backend() as unknown as WasmBackendInternals;
}

function conv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): Float32Array {
  const y = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' });
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

beforeAll(async () => {
  setWinogradPolicy('auto');
  await tf.setBackend('wasm');
  await tf.ready();
});

describe.each(SHAPES)('kept packed filters: $name', ({ size, inChannels, outChannels, keptBytes }) => {
  const xValues = randomArray(size * size * inChannels, 11);
  const wShape: [number, number, number, number] = [3, 3, inChannels, outChannels];
  const wValues = randomArray(9 * inChannels * outChannels, 12);
  const bValues = randomArray(outChannels, 13);

  it('gives what packing on every call gives, and keeps a copy from the second call', () => {
    const x = tf.tensor4d(xValues, [1, size, size, inChannels]);
    const bias = tf.tensor1d(bValues);
    // A fresh filter tensor per call: never kept, the path without the cache.
    const fresh = () => {
      const w = tf.tensor4d(wValues, wShape);
      const y = conv(x, w, bias);
      w.dispose();
      return y;
    };
    const uncached = fresh();
    expect(keptFilterBytes(backend())).toBe(0);
    const w = tf.tensor4d(wValues, wShape);
    expect(conv(x, w, bias)).toEqual(uncached);
    expect(keptFilterBytes(backend())).toBe(0);
    expect(conv(x, w, bias)).toEqual(uncached);
    expect(keptFilterBytes(backend())).toBe(keptBytes);
    expect(conv(x, w, bias)).toEqual(uncached);
    // The bias is not part of the kept copy: another bias with the kept filter.
    const otherBias = tf.tensor1d(randomArray(outChannels, 14));
    const w2 = tf.tensor4d(wValues, wShape);
    expect(conv(x, w, otherBias)).toEqual(conv(x, w2, otherBias));
    tf.dispose([x, bias, w, w2, otherBias]);
    expect(keptFilterBytes(backend())).toBe(0);
  });

  it('sees a variable assign on the next call', () => {
    const x = tf.tensor4d(xValues, [1, size, size, inChannels]);
    const bias = tf.tensor1d(bValues);
    const initial = tf.tensor4d(wValues, wShape);
    // A variable shares its initial value's data: disposed, the variable alone holds it.
    const variable = tf.variable(initial);
    initial.dispose();
    conv(x, variable as tf.Tensor4D, bias);
    const before = conv(x, variable as tf.Tensor4D, bias);
    expect(keptFilterBytes(backend())).toBeGreaterThan(0);
    const updated = randomArray(wValues.length, 15);
    variable.assign(tf.tensor4d(updated, wShape));
    // The old data went with assign, and its kept copy with it.
    expect(keptFilterBytes(backend())).toBe(0);
    const after = conv(x, variable as tf.Tensor4D, bias);
    const w = tf.tensor4d(updated, wShape);
    expect(after).toEqual(conv(x, w, bias));
    expect(after).not.toEqual(before);
    tf.dispose([x, bias, variable, w]);
  });

  it('frees the copy with the filter, and keeps the tensor count and heap flat over repeated calls', () => {
    const x = tf.tensor4d(xValues, [1, size, size, inChannels]);
    const bias = tf.tensor1d(bValues);
    const w = tf.tensor4d(wValues, wShape);
    conv(x, w, bias);
    conv(x, w, bias);
    const tensors = tf.memory().numTensors;
    const heap = backend().wasm.HEAPU8.byteLength;
    const kept = keptFilterBytes(backend());
    for (let i = 0; i < 20; i++) conv(x, w, bias);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend().wasm.HEAPU8.byteLength).toBe(heap);
    expect(keptFilterBytes(backend())).toBe(kept);
    // A reshape shares the data: another shape is another form, not the kept one.
    const reshaped = tf.reshape(w, [3, 3, outChannels, inChannels]);
    const xr = tf.tensor4d(randomArray(size * size * outChannels, 16), [1, size, size, outChannels]);
    const rb = tf.tensor1d(randomArray(inChannels, 17));
    const copy = tf.tensor4d(reshaped.dataSync(), [3, 3, outChannels, inChannels]);
    conv(xr, reshaped as tf.Tensor4D, rb);
    expect(conv(xr, reshaped as tf.Tensor4D, rb)).toEqual(conv(xr, copy, rb));
    tf.dispose([reshaped, copy, xr, rb]);
    // The data lives on in `w` after the reshape is disposed: so does its copy.
    expect(keptFilterBytes(backend())).toBeGreaterThanOrEqual(kept);
    w.dispose();
    expect(keptFilterBytes(backend())).toBe(0);
    tf.dispose([x, bias]);
  });
});

describe('kept packed filters in training', () => {
  it('keep nothing when the optimizer replaces the filter every step', () => {
    const x = tf.tensor4d(randomArray(2 * 14 * 14 * 32, 21), [2, 14, 14, 32]);
    const initial = tf.tensor4d(randomArray(9 * 32 * 64, 22), [3, 3, 32, 64]);
    const w = tf.variable(initial);
    initial.dispose();
    const optimizer = tf.train.sgd(0.01);
    const tensors = tf.memory().numTensors;
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const loss = optimizer.minimize(
        () => tf.mean(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))),
        true,
      );
      losses.push(loss?.dataSync()[0] ?? Number.NaN);
      loss?.dispose();
      expect(keptFilterBytes(backend())).toBe(0);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    // The steps saw their updates: the loss falls.
    expect(losses[3]).toBeLessThan(losses[0]!);
    tf.dispose([x, w]);
    optimizer.dispose();
  });
});

import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { tf } from './testing/tf.js';

describe('WASM training memory', () => {
  it('keeps tensor count and WASM heap flat over 1,000 training steps', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
        }),
        tfl.layers.batchNormalization(),
        tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([4, 8, 8, 1]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    for (let i = 0; i < 50; i++) await model.trainOnBatch(xs, ys);
    const tensors = tf.memory().numTensors;
    const bytes = heap();
    for (let i = 0; i < 1000; i++) await model.trainOnBatch(xs, ys);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(heap()).toBe(bytes);
    tf.dispose([xs, ys]);
    model.dispose();
  }, 120_000);
});

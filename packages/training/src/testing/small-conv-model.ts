import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A small conv net on 12×12 images without dropout, so any thread count must compute the same update. */
export function smallConvModel(seed: number): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      }),
      tfl.layers.flatten(),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

/** A batch of `size` 12×12 images (values from a linear congruential generator) and one-hot labels. */
export function smallBatch(size: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed >>> 0;
  const x = Float32Array.from({ length: size * 144 }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
  const y = new Float32Array(size * 10);
  for (let i = 0; i < size; i++) y[i * 10 + (i % 10)] = 1;
  return { x, y };
}

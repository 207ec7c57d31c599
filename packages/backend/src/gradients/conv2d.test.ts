import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { dilateFilter } from '../testing/dilate-filter.js';
import { maxRelativeDifference, onBackend, randomArray, tf } from '../testing/tf.js';

describe('Conv2D gradient with dilation', () => {
  it('differentiates a dilated tf.conv2d (tfjs-core alone refuses) on cpu and wasm, as the spread filter', async () => {
    const x = randomArray(2 * 9 * 9 * 3, 8);
    const w = randomArray(3 * 3 * 3 * 4, 9);
    const spread = dilateFilter(w, 3, 3, 4, 2);
    for (const backend of ['cpu', 'wasm']) {
      const dilatedGrads = await onBackend(backend, () =>
        tf.grads(((a: tf.Tensor4D, b: tf.Tensor4D) =>
          tf.sum(tf.square(tf.conv2d(a, b, 1, 'same', 'NHWC', 2)))) as (...t: tf.Tensor[]) => tf.Tensor)([
          tf.tensor4d(x, [2, 9, 9, 3]),
          tf.tensor4d(w, [3, 3, 3, 4]),
        ]),
      );
      const [refDx, refDwSpread] = await onBackend('cpu', () =>
        tf.grads(((a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(a, b, 1, 'same')))) as (
          ...t: tf.Tensor[]
        ) => tf.Tensor)([tf.tensor4d(x, [2, 9, 9, 3]), tf.tensor4d(spread.data, [5, 5, 3, 4])]),
      );
      const refDw = new Float32Array(w.length);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let k = 0; k < 12; k++)
            refDw[(i * 3 + j) * 12 + k] = refDwSpread![(i * 2 * 5 + j * 2) * 12 + k]!;
      expect(maxRelativeDifference(refDx!, dilatedGrads[0]!), backend).toBeLessThan(1e-4);
      expect(maxRelativeDifference(refDw, dilatedGrads[1]!), backend).toBeLessThan(1e-4);
    }
  });

  it('trains a tfjs-layers conv with dilationRate 2 on wasm', async () => {
    await tf.setBackend('wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [9, 9, 1],
          filters: 4,
          kernelSize: 3,
          dilationRate: 2,
          activation: 'relu',
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor4d(randomArray(16 * 81, 10), [16, 9, 9, 1]);
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 16 }, (_, i) => i % 2),
        'int32',
      ),
      2,
    );
    const history = await model.fit(xs, ys, { epochs: 20, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

import type { ImageSet } from '@fmnist/dataset';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface Evaluation {
  loss: number;
  accuracy: number;
  predictions: Uint8Array;
  probabilities: Float32Array;
}

/** Runs `set` through the model in batches (inference mode); tensor count stays flat. */
export function evaluate(model: tfl.LayersModel, set: ImageSet, batchSize = 500): Evaluation {
  const size = set.height * set.width * set.channels;
  const predictions = new Uint8Array(set.count);
  const probabilities = new Float32Array(set.count * 10);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const count = Math.min(batchSize, set.count - start);
    const probs = tf.tidy(() => {
      const pixels = new Float32Array(count * size);
      for (let i = 0; i < pixels.length; i++) pixels[i] = set.images[start * size + i]! / 255;
      const x = tf.tensor4d(pixels, [count, set.height, set.width, set.channels]);
      return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    });
    probabilities.set(probs, start * 10);
    for (let i = 0; i < count; i++) {
      const row = probs.subarray(i * 10, i * 10 + 10);
      let best = 0;
      for (let k = 1; k < 10; k++) if (row[k]! > row[best]!) best = k;
      predictions[start + i] = best;
      const label = set.labels[start + i]!;
      if (best === label) correct++;
      lossSum -= Math.log(Math.min(Math.max(row[label]!, 1e-7), 1 - 1e-7));
    }
  }
  return { loss: lossSum / set.count, accuracy: correct / set.count, predictions, probabilities };
}

import { dropoutMask } from '@fmnist/backend';
import { fillUniform } from '@fmnist/random';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Dropout's training pass: `x` times a mask of 0 and 1/(1 − rate), each element kept with probability
 * 1 − rate, broadcast over `noiseShape`. tf.dropout draws its uniform numbers one at a time through
 * seedrandom, then adds, floors and divides over the whole mask; this fills the mask in two loops from
 * @fmnist/random's mulberry32 (same distribution, other numbers), on wasm in @fmnist/backend's kernel
 * (the same values). `seed` fixes the mask, as tf.dropout's does; without it the seed is drawn from
 * Math.random.
 */
export function dropoutInTraining(
  x: tf.Tensor,
  rate: number,
  noiseShape: number[],
  seed?: number,
): tf.Tensor {
  const drawnSeed = seed ?? Math.floor(Math.random() * 2 ** 32);
  // On wasm, @fmnist/backend draws the same mask in the heap.
  const mask = dropoutMask(noiseShape, rate, drawnSeed) ?? maskInJavaScript(noiseShape, rate, drawnSeed);
  return tf.mul(x, mask);
}

function maskInJavaScript(noiseShape: number[], rate: number, seed: number): tf.Tensor {
  const keep = Math.fround(1 - rate);
  const kept = Math.fround(1 / keep);
  const mask = new Float32Array(noiseShape.reduce((a, b) => a * b, 1));
  fillUniform(mask, seed);
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! < keep ? kept : 0;
  return tf.tensor(mask, noiseShape, 'float32');
}

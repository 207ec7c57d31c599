import * as tf from '@tensorflow/tfjs-core';

/** Index of the first NaN or ±Infinity in `values`, or -1. One pass, no allocation. */
export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity.
    const v = values[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * The name of the first weight whose gradient holds NaN or ±Infinity, or undefined. One fused
 * reduction read back as one number (NaN and Infinity survive a sum); the per-weight search runs only
 * when it fails.
 */
export function nonFiniteGradient(grads: { name: string; tensor: tf.Tensor }[]): string | undefined {
  const total = tf.tidy(() => tf.addN(grads.map((g) => tf.sum(g.tensor))).dataSync()[0]!);
  if (Number.isFinite(total)) return undefined;
  for (const { name, tensor } of grads) {
    if (firstNonFinite(tensor.dataSync() as Float32Array) >= 0) return name;
  }
  // The sum overflowed though every value is finite: still not an update to apply.
  return grads.map((g) => g.name).join(', ');
}

import { AugmentError } from './errors.js';

export type Pixels = Uint8Array | Float32Array;

/** A batch of images, channels last: `shape` is `[n, height, width, channels]`. */
export interface ImageBatch<T extends Pixels = Pixels> {
  data: T;
  shape: [number, number, number, number];
}

/**
 * Refuses what the transforms cannot augment: not a typed array, a shape that does not match, or (in a
 * Float32Array) a NaN or ±Infinity pixel. `name` is the data's argument name in `where`'s messages.
 */
export function checkBatch(batch: ImageBatch, where: string, name = 'batch.data'): void {
  const { data, shape } = batch;
  if (!(data instanceof Uint8Array || data instanceof Float32Array)) {
    throw new AugmentError(`${where}: data must be a Uint8Array or Float32Array`);
  }
  if (!Array.isArray(shape) || shape.length !== 4 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new AugmentError(
      `${where}: shape must be [n, height, width, channels] of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  const expected = shape[0] * shape[1] * shape[2] * shape[3];
  if (data.length !== expected) {
    throw new AugmentError(
      `${where}: shape [${shape.join(', ')}] needs ${expected} values, data has ${data.length}`,
    );
  }
  if (data instanceof Float32Array) checkFinite(data, shape[1] * shape[2] * shape[3], where, name);
}

// One NaN pixel spreads through interpolation and, while training, silently corrupts the weights (the
// WASM backend raises nothing). Uint8Array cannot hold NaN, so only float batches pay for this pass.
function checkFinite(data: Float32Array, size: number, where: string, name: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one subtraction, no call.
    if (v - v !== 0)
      throw new AugmentError(
        `${where}: ${name} holds ${v} at index ${i} (image ${Math.floor(i / size)}, pixel ${i % size}); expected finite pixel values`,
      );
  }
}

/** An empty batch of the same type and shape. */
export function like<T extends Pixels>(batch: ImageBatch<T>): ImageBatch<T> {
  const data = (
    batch.data instanceof Uint8Array ? new Uint8Array(batch.data.length) : new Float32Array(batch.data.length)
  ) as T;
  return { data, shape: [...batch.shape] };
}

import type * as tfl from '@tensorflow/tfjs-layers';

/** SHA-256 (hex) of every weight of `model` (trainable or not) as float32 bytes, in `model.weights` order. */
export async function weightsHash(model: tfl.LayersModel): Promise<string> {
  const parts = model.weights.map((w) => w.read().dataSync() as Float32Array);
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
    offset += part.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

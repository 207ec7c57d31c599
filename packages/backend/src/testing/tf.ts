import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' Node build registers every gradient of tfjs-core.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../register-all-kernels.js';

registerWasmTrainingKernels();

export { tf };

/** Runs `f` on `backend` and returns plain arrays, disposing every tensor it made. */
export async function onBackend(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const tensors = f();
  const values = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  return values;
}

export function randomArray(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

export function maxRelativeDifference(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / scale;
}

/** The message `call` throws on `backend`, or 'no error': for comparing tfjs's errors across backends. */
export async function errorOn(backend: string, call: () => unknown): Promise<string> {
  await tf.setBackend(backend);
  try {
    tf.tidy(() => {
      call();
    });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

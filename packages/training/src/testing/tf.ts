import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' Node build registers every gradient of tfjs-core.
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@fmnist/backend';

registerWasmTrainingKernels();

export { tf };

export function randomArray(length: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

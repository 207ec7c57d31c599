import { type BackendSelection, useBestBackend } from '@fmnist/backend';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-wasm from `wasmUrl` (served by this app, no CDN) with @fmnist/backend's conv kernels, in
 * the page or a worker. Single-threaded even when the page is cross-origin isolated: our kernels cannot
 * bind the shared memory of tfjs-wasm's threaded build, and training already gives each worker a core.
 */
export function startWasmBackend(wasmUrl: string): Promise<BackendSelection> {
  setWasmPaths(wasmUrl);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return useBestBackend('wasm', { log: null, importModule: () => import('@tensorflow/tfjs-backend-wasm') });
}

import { setSimdKernelBuild } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { startWasmBackend } from './wasm-backend.js';

/** Where the page and its workers find tfjs-backend-wasm's binaries (copied there by prepare-assets). */
export const wasmUrl = () => new URL('./wasm/', document.baseURI).href;

/**
 * `?simd=off`: the page runs as in a browser without WebAssembly SIMD (tfjs-wasm's plain build, none of
 * our conv kernels), so that path can be seen and tested in a browser that has SIMD. The Classify and
 * Your-classes tabs only: training workers detect SIMD for themselves.
 */
function simdForcedOff(): boolean {
  if (new URLSearchParams(location.search).get('simd') !== 'off') return false;
  tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  setSimdKernelBuild('off');
  return true;
}

/**
 * WASM served by this app (no CDN); SIMD when the browser has it, and @fmnist/backend's conv kernels
 * (with relaxed SIMD's fused multiply-add where the browser has it). Returns a sentence for the page.
 */
export async function startBackend(): Promise<string> {
  try {
    const forcedOff = simdForcedOff();
    const { kernels } = await startWasmBackend(wasmUrl());
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    document.body.dataset.convKernels = kernels?.build ?? 'off';
    const reason = forcedOff ? 'no SIMD: ?simd=off' : kernels?.reason;
    return `WebAssembly backend, SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}, conv kernels: ${kernels?.build} (${reason})`;
  } catch (error) {
    console.warn('wasm backend unavailable, using cpu', error);
  }
  await tf.setBackend('cpu');
  return 'plain JavaScript (cpu) backend: WebAssembly is unavailable here';
}

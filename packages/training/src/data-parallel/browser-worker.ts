import * as cpu from '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { InitMessage, ToWorker } from './protocol.js';
import { serveReplica } from './replica.js';

// The replica in a Web Worker. The backends are imported statically: bundlers include them, and the
// worker stays one chunk (Vite's default worker format, iife, cannot split).
const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  close(): void;
};

async function importBackend(specifier: string, init: InitMessage): Promise<unknown> {
  if (specifier === '@tensorflow/tfjs-backend-wasm') {
    if (init.wasmPaths !== undefined) wasm.setWasmPaths(init.wasmPaths);
    // Our conv kernels cannot bind the shared memory of tfjs-wasm's threaded build (chosen when the page
    // is cross-origin isolated), and the workers already use one core each.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return wasm;
  }
  if (specifier === '@tensorflow/tfjs-backend-cpu') return cpu;
  throw new Error(`${specifier} does not run in a browser`);
}

serveReplica(
  {
    // Looked up at each call (not bound once), so a setup module can wrap it.
    postMessage: (message, transfer) => scope.postMessage(message, transfer),
    onMessage: (listener) => scope.addEventListener('message', (event) => listener(event.data)),
    close: () => scope.close(),
  },
  { importBackend, importSetup: (specifier) => import(/* @vite-ignore */ specifier) },
);

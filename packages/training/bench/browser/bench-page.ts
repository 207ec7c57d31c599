// The browser side of browser-vs-node.bench.ts: the quick recipe's step on Web Workers.
import { useBestBackend } from '@fmnist/backend';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallelTrainer } from '../../src/browser.js';
import { timeQuickSteps } from './quick-step.js';

const wasmPaths = new URL('./wasm/', location.href).href;
setWasmPaths(wasmPaths);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
await useBestBackend('wasm', { log: null, importModule: () => import('@tensorflow/tfjs-backend-wasm') });

Object.assign(globalThis, {
  bench: ({ workers, batch, steps }: { workers: number; batch: number; steps: number }) =>
    timeQuickSteps(
      (model, loss) => DataParallelTrainer.create(model, { workers, loss, wasmPaths }),
      batch,
      steps,
    ),
});
document.body.dataset.ready = 'true';

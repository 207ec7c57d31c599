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

/**
 * The longest time the page's thread could not run a 10 ms timer while `work` ran: how long it was
 * blocked at worst (headless Chromium reports no `longtask` entries, so this measures it directly).
 */
async function longestBlock<T>(work: () => Promise<T>): Promise<{ result: T; longestBlockMs: number }> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 10);
    last = now;
  }, 10);
  try {
    return { result: await work(), longestBlockMs: longest };
  } finally {
    clearInterval(timer);
  }
}

/** The quick step's images/s, and the longest the page's thread was blocked while the workers trained. */
async function bench({ workers, batch, steps }: { workers: number; batch: number; steps: number }) {
  const { result, longestBlockMs } = await longestBlock(() =>
    timeQuickSteps(
      (model, loss) => DataParallelTrainer.create(model, { workers, loss, wasmPaths }),
      batch,
      steps,
    ),
  );
  return { ...result, longestBlockMs };
}

Object.assign(globalThis, { bench });
document.body.dataset.ready = 'true';

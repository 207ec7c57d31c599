// The Chromium half of chromium.bench.ts: one runtime per page load (`?runtime=tfjs|ort&threads=N`),
// printing the same JSON lines as the Node benches to the console, then DONE (or FAILED).
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '@fmnist/model';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type * as Ort from 'onnxruntime-web';
import { images, measure, measureOrt } from '../yardstick.js';

const params = new URLSearchParams(location.search);

async function run(): Promise<void> {
  if (params.get('runtime') === 'tfjs') {
    setWasmPaths('/wasm/');
    await useBestBackend('wasm', { log: null, importModule: () => import('@tensorflow/tfjs-backend-wasm') });
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const classifier = await loadClassifier({ model: '/model/model.json' });
    await measure('tfjs-wasm (chromium)', threaded ? 'tfjs default' : 1, (n) =>
      classifier.predict(images.subarray(0, n * 784), { batchSize: n }),
    );
    return;
  }
  // onnxruntime-web's own files, not bundled: its worker threads load its glue script by URL.
  const url = '/ort/ort.wasm.min.mjs';
  const ort = (await import(url)) as typeof Ort;
  const threads = Number(params.get('threads') ?? 1);
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = threads;
  const bytes = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
  await measureOrt(ort, bytes, 'onnxruntime-web (wasm simd, chromium)', threads, {
    executionProviders: ['wasm'],
  });
}

run().then(
  () => console.log('DONE'),
  (error: unknown) => console.log(`FAILED ${(error as Error)?.stack ?? String(error)}`),
);

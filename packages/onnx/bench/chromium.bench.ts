// The inference yardstick in headless Chromium: tfjs (WASM, @fmnist/backend's kernels) and
// onnxruntime-web (WASM SIMD, 1 and 2 threads) on the exported vgg model, batch 1 and 1024. The page is
// served by a static server of our own on 127.0.0.1; under /isolated/ with COOP/COEP headers, so it is
// crossOriginIsolated and WASM threads are allowed (tfjs then picks its threaded build).
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClassifier, shippedWeightsDir } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import { CHROMIUM, chromiumAvailable, launchChromium, servePage } from '../../../testing/chromium-page.js';
import { BENCH_RUNS } from '../../../testing/inference-yardstick.js';
import { yardstickInChromium } from '../../../testing/inference-yardstick-chromium.js';
import type { YardstickRequest } from '../../../testing/inference-yardstick-page.js';
import { toOnnx } from '../src/index.js';
import { ARCHITECTURE, report } from './yardstick.js';

if (!chromiumAvailable) {
  console.error(
    `SKIPPED the Chromium yardstick: no browser at ${CHROMIUM} (apt install chromium, or set CHROMIUM_PATH)`,
  );
  process.exit(0);
}
const here = dirname(fileURLToPath(import.meta.url));

await tf.setBackend('cpu');
const classifier = await loadClassifier({ architecture: ARCHITECTURE });
const onnx = toOnnx(classifier.model);
classifier.dispose();
const site = await servePage({
  entries: { page: join(here, 'browser', 'page.ts') },
  wasmFrom: import.meta.url,
  // The /isolated/ page runs tfjs-wasm's threaded build, whose workers keepNames breaks (bundlePage).
  keepNames: false,
  files: { 'model.onnx': onnx },
  folders: {
    // onnxruntime-web exports no package.json: its dist folder is where its .wasm lives.
    'ort/': dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')),
    'model/': shippedWeightsDir({ architecture: ARCHITECTURE }),
  },
});

const runs: [path: string, request: Omit<YardstickRequest, 'runs'>][] = [
  ['/', { runtime: 'tfjs', threads: 1 }],
  ['/isolated/', { runtime: 'tfjs', threads: 1 }],
  ['/isolated/', { runtime: 'ort', threads: 1 }],
  ['/isolated/', { runtime: 'ort', threads: 2 }],
];
const browser = await launchChromium();
try {
  for (const [path, request] of runs) {
    const result = await yardstickInChromium(browser, `${site.origin}${path}`, {
      ...request,
      runs: BENCH_RUNS,
    });
    report(result, result.runtime, result.threads);
  }
} finally {
  await browser.close();
  await site.close();
}

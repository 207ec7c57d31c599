// Inference yardstick in Node: our Classifier.predict (tfjs on WASM with @fmnist/backend's SIMD kernels)
// against onnxruntime-node (native CPU) on the same model exported by toOnnx, batch 1 and 1024.
// onnxruntime-web in Node is onnxruntime-web.bench.ts (one process per thread count).
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '@fmnist/model/node';
import * as ort from 'onnxruntime-node';
import { toOnnx } from '../src/index.js';
import { ARCHITECTURE, images, measure, measureOrt } from './yardstick.js';

await useBestBackend('wasm', { log: null });
const classifier = await loadClassifier({ architecture: ARCHITECTURE });
const bytes = toOnnx(classifier.model);
await measure('tfjs-wasm', 'tfjs default', (n) =>
  classifier.predict(images.subarray(0, n * 784), { batchSize: n }),
);
classifier.dispose();
for (const threads of [1, 2])
  await measureOrt(ort, bytes, 'onnxruntime-node', threads, { intraOpNumThreads: threads });

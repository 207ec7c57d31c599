// Inference yardstick in Node: our Classifier.predict (tfjs on WASM with @fmnist/backend's SIMD kernels)
// against onnxruntime-node (native CPU) on the same model exported by toOnnx, batch 1 and 1024.
// onnxruntime-web in Node is onnxruntime-web.bench.ts (one process per thread count).
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '@fmnist/model/node';
import * as ort from 'onnxruntime-node';
import { measure, patternImages } from '../../../testing/inference-yardstick.js';
import { toOnnx } from '../src/index.js';
import { ARCHITECTURE, measureOrt, report } from './yardstick.js';

await useBestBackend('wasm', { log: null });
const classifier = await loadClassifier({ architecture: ARCHITECTURE });
const bytes = toOnnx(classifier.model);
const images = patternImages();
const figures = await measure(
  (n) => classifier.predict(images.subarray(0, n * 784), { batchSize: n }).probabilities,
);
report(figures, 'tfjs-wasm', 'tfjs default');
classifier.dispose();
for (const threads of [1, 2])
  await measureOrt(ort, bytes, images, {
    runtime: 'onnxruntime-node',
    threads,
    options: { intraOpNumThreads: threads },
  });

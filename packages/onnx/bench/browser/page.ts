// The Chromium half of chromium.bench.ts: tfjs-backend-wasm (single-threaded with our kernels, or its
// threaded build on a cross-origin isolated page, where our kernels cannot bind its shared memory) and
// onnxruntime-web, through the repository's shared yardstick page.
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '@fmnist/model';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { patternImages } from '../../../../testing/inference-yardstick.js';
import { exposeYardstick } from '../../../../testing/inference-yardstick-page.js';

exposeYardstick({
  async tfjs(images) {
    setWasmPaths(new URL('./wasm/', location.href).href);
    await useBestBackend('wasm', { log: null, importModule: () => import('@tensorflow/tfjs-backend-wasm') });
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const classifier = await loadClassifier({ model: new URL('./model/model.json', location.href).href });
    return {
      runtime: 'tfjs-wasm (chromium)',
      threads: threaded ? 'tfjs default' : 1,
      predict: (n) => classifier.predict(images.subarray(0, n * 784), { batchSize: n }).probabilities,
    };
  },
  ortFolder: './ort/',
  onnxUrl: './model.onnx',
  images: async () => patternImages(),
});

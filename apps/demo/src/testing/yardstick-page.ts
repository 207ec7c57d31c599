// The page of onnx-yardstick.test.ts, served at /yardstick/ beside the built demo: the demo's own tfjs
// start (single-threaded WASM with @fmnist/backend's kernels) and shipped model against onnxruntime-web,
// on the demo's gallery images (300 Fashion-MNIST test images, repeated up to the yardstick's batch).
import { loadClassifier } from '@fmnist/model';
import { BATCH } from '../../../../testing/inference-yardstick.js';
import { exposeYardstick } from '../../../../testing/inference-yardstick-page.js';
import { startWasmBackend } from '../wasm-backend.js';

const demo = (path: string) => new URL(`../${path}`, location.href).href;

exposeYardstick({
  async tfjs(images) {
    await startWasmBackend(demo('wasm/'));
    const classifier = await loadClassifier({ model: demo('model/model.json') });
    return {
      runtime: 'tfjs-wasm (demo, chromium)',
      threads: 1,
      predict: (n) => classifier.predict(images.subarray(0, n * 784), { batchSize: n }).probabilities,
    };
  },
  ortFolder: demo('ort/'),
  onnxUrl: './model.onnx',
  async images() {
    const gallery = new Uint8Array(await (await fetch(demo('samples/test-images.bin'))).arrayBuffer());
    const images = new Uint8Array(784 * BATCH);
    for (let at = 0; at < images.length; at += gallery.length)
      images.set(gallery.subarray(0, Math.min(gallery.length, images.length - at)), at);
    return images;
  },
});

// onnxruntime-web (WASM SIMD) in Node on the exported model; the thread count (argv, default 1) is read
// once, when its WASM module starts, so each count runs in a process of its own.
import '@tensorflow/tfjs-backend-cpu';
import { loadClassifier } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { patternImages } from '../../../testing/inference-yardstick.js';
import { toOnnx } from '../src/index.js';
import { ARCHITECTURE, measureOrt } from './yardstick.js';

const threads = Number(process.argv[2] ?? 1);
await tf.setBackend('cpu');
const classifier = await loadClassifier({ architecture: ARCHITECTURE });
const bytes = toOnnx(classifier.model);
classifier.dispose();
ort.env.wasm.numThreads = threads;
ort.env.wasm.simd = true;
await measureOrt(ort, bytes, patternImages(), {
  runtime: 'onnxruntime-web (wasm simd, node)',
  threads,
  options: { executionProviders: ['wasm'] },
});

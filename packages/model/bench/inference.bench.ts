// Inference with each architecture's shipped weights: batch-1 latency and batch-1024 throughput, wasm and cpu.
import { useBestBackend } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import { SHIPPED_ARCHITECTURES } from '../src/index.js';
import { loadClassifier } from '../src/node.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
const one = new Uint8Array(784).map((_, i) => i % 256);
const many = new Uint8Array(784 * 1024).map((_, i) => (i * 7) % 256);
for (const backend of ['wasm', 'cpu'] as const) {
  await useBestBackend(backend, { log: null });
  const runs = backend === 'cpu' ? 10 : 100;
  const batch = backend === 'cpu' ? 128 : 1024;
  for (const architecture of SHIPPED_ARCHITECTURES) {
    const classifier = await loadClassifier({ architecture });
    classifier.classify(one);
    let started = performance.now();
    for (let i = 0; i < runs; i++) classifier.classify(one);
    emit({
      name: 'classify.batch1.latency',
      value: Number(((performance.now() - started) / runs).toFixed(2)),
      unit: 'ms',
      backend,
      architecture,
    });
    // The first call at a new batch size also grows the WASM heap and sets up operators: reported apart.
    for (const name of [`classify.batch${batch}.first`, `classify.batch${batch}.throughput`]) {
      started = performance.now();
      classifier.predict(many.subarray(0, batch * 784));
      emit({
        name,
        value: Number((batch / ((performance.now() - started) / 1000)).toFixed(1)),
        unit: 'img/s',
        backend,
        architecture,
      });
    }
    classifier.dispose();
  }
  tf.disposeVariables();
}

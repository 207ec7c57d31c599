// The shipped vgg model (conv → BN → ReLU six times) run as loaded and with its BatchNorms folded
// (Classifier's default): batch-1 latency and batch-1024 throughput on WASM, the two interleaved so
// that a busy machine slows both alike.
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '../src/node.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
const one = new Uint8Array(784).map((_, i) => i % 256);
const many = new Uint8Array(784 * 1024).map((_, i) => (i * 7) % 256);
const ROUNDS = 5;
const LATENCY_RUNS = 100;

await useBestBackend('wasm', { log: null });
const classifiers = await Promise.all(
  [false, true].map(async (foldBatchNorm) => ({
    foldBatchNorm,
    classifier: await loadClassifier({ architecture: 'vgg', foldBatchNorm }),
  })),
);
const best = new Map<string, number>();
const keep = (key: string, value: number, better: (a: number, b: number) => boolean) => {
  const known = best.get(key);
  if (known === undefined || better(value, known)) best.set(key, value);
};
for (const { classifier } of classifiers) {
  classifier.predict(one); // first-call set-up, at both batch sizes
  classifier.predict(many, { batchSize: 1024 });
}
for (let round = 0; round < ROUNDS; round++) {
  for (const { foldBatchNorm, classifier } of classifiers) {
    let started = performance.now();
    for (let i = 0; i < LATENCY_RUNS; i++) classifier.predict(one);
    keep(`latency:${foldBatchNorm}`, (performance.now() - started) / LATENCY_RUNS, (a, b) => a < b);
    started = performance.now();
    classifier.predict(many, { batchSize: 1024 });
    keep(`throughput:${foldBatchNorm}`, 1024 / ((performance.now() - started) / 1000), (a, b) => a > b);
  }
}
for (const { foldBatchNorm, classifier } of classifiers) {
  const labels = { backend: 'wasm', architecture: 'vgg', foldBatchNorm };
  emit({
    name: 'predict.batch1.latency',
    value: Number(best.get(`latency:${foldBatchNorm}`)!.toFixed(3)),
    unit: 'ms',
    ...labels,
  });
  emit({
    name: 'predict.batch1024.throughput',
    value: Number(best.get(`throughput:${foldBatchNorm}`)!.toFixed(1)),
    unit: 'img/s',
    ...labels,
  });
  classifier.dispose();
}

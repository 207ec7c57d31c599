// Accuracy and cost per image of classify() with and without test-time augmentation, each architecture's
// shipped float32 weights, the 10,000 real test images, WASM. Prints one JSON object per line (skips without the data).
import { existsSync } from 'node:fs';
import { useBestBackend } from '@fmnist/backend';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { SHIPPED_ARCHITECTURES } from '../src/index.js';
import { loadClassifier } from '../src/node.js';
import { testSetAccuracy } from '../src/testing/test-set-accuracy.js';

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
if (!hasData) {
  console.log(JSON.stringify({ name: 'classify.tta', skipped: 'Fashion-MNIST not installed' }));
} else {
  await useBestBackend('wasm', { log: null });
  const { test } = await loadFashionMnist({ download: false });
  for (const architecture of SHIPPED_ARCHITECTURES) {
    const classifier = await loadClassifier({ architecture });
    for (const tta of [false, 'flip', 'flip-shift'] as const) {
      const started = performance.now();
      const accuracy = testSetAccuracy(classifier, test, tta);
      const ms = (performance.now() - started) / test.count;
      const mode = tta || 'none';
      console.log(
        JSON.stringify({
          name: `classify.tta.${architecture}.${mode}.accuracy`,
          value: accuracy,
          unit: 'fraction',
          images: test.count,
        }),
      );
      console.log(
        JSON.stringify({
          name: `classify.tta.${architecture}.${mode}.cost`,
          value: Number(ms.toFixed(3)),
          unit: 'ms/image',
          batch: 1000,
        }),
      );
    }
    classifier.dispose();
  }
}

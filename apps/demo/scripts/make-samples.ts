// Writes the gallery: the first 300 Fashion-MNIST test images (uint8, 28x28 each) and their labels.
// Run once with the data present (`pnpm --filter @fmnist/demo samples`); the output is committed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFashionMnist } from '@fmnist/dataset/node';

const COUNT = 300;
const { test } = await loadFashionMnist({ download: false });
const out = join(new URL('..', import.meta.url).pathname, 'public', 'samples');
writeFileSync(join(out, 'test-images.bin'), test.images.subarray(0, COUNT * 784));
writeFileSync(
  join(out, 'test-labels.json'),
  `${JSON.stringify({ source: 'Fashion-MNIST test set, images 0-299', labels: Array.from(test.labels.subarray(0, COUNT)) })}\n`,
);
console.log(`wrote ${COUNT} samples to ${out}`);

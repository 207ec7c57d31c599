// Augmentation throughput on 28x28x1 images, and whether the worker stream keeps a 1,000 img/s loop fed.

import type { ImageBatch } from '../src/index.js';
import { createAugmenter, imageDataGenerator, randomAffine } from '../src/index.js';
import { augmentStream } from '../src/node.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
const batchSize = 128;
const makeBatch = (): ImageBatch => ({
  data: Uint8Array.from({ length: batchSize * 784 }, () => Math.floor(Math.random() * 256)),
  shape: [batchSize, 28, 28, 1],
});

const affine = randomAffine({
  rotationRange: 10,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  shearRange: 5,
  zoomRange: 0.1,
  interpolation: 'bilinear',
  fillMode: (process.env.FILL ?? 'nearest') as never,
});
const augment = createAugmenter(affine, { seed: 1 });
const batch = makeBatch();
for (let i = 0; i < 20; i++) augment(batch);
let started = performance.now();
const rounds = 200;
for (let i = 0; i < rounds; i++) augment(batch);
emit({
  name: 'augment.randomAffine.bilinear',
  value: Math.round((rounds * batchSize) / ((performance.now() - started) / 1000)),
  unit: 'img/s',
  threads: 1,
  size: '28x28x1',
});

// A training loop consuming 1,000 img/s (one batch of 128 every 128 ms): how long does it wait?
const pipeline = imageDataGenerator({
  rotationRange: 10,
  widthShiftRange: 0.1,
  heightShiftRange: 0.1,
  zoomRange: 0.1,
  horizontalFlip: true,
});
const batches = Array.from({ length: 60 }, makeBatch);
let waited = 0;
let last = performance.now();
started = last;
let consumed = 0;
for await (const _ of augmentStream(batches, pipeline, { workers: 1, seed: 2 })) {
  const now = performance.now();
  if (consumed > 0) waited += now - last;
  consumed++;
  await new Promise((r) => setTimeout(r, 128));
  last = performance.now();
}
emit({
  name: 'augment.stream.wait',
  value: Number((waited / (consumed - 1)).toFixed(2)),
  unit: 'ms/batch',
  consumerRate: 1000,
  workers: 1,
});

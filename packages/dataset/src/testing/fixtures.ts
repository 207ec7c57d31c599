import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRng } from '@fmnist/random';
import { encodeIdx } from '../idx.js';
import type { IdxDatasetSpec } from '../spec.js';

/** A tiny dataset of the Fashion-MNIST layout: random pixels, labels cycling through 10 classes. */
export function makeFixture(trainCount = 40, testCount = 20, size = 4, seed = 1) {
  const rng = createRng(seed);
  const make = (count: number) => {
    const images = new Uint8Array(count * size * size);
    for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) labels[i] = i % 10;
    return {
      images: encodeIdx({ dtype: 'uint8', shape: [count, size, size], data: images }),
      labels: encodeIdx({ dtype: 'uint8', shape: [count], data: labels }),
    };
  };
  const train = make(trainCount);
  const test = make(testCount);
  const bytes = {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
  };
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const spec: IdxDatasetSpec = {
    name: 'fixture',
    files: {
      trainImages: { file: 'train-images-idx3-ubyte', sha256: sha(bytes.trainImages) },
      trainLabels: { file: 'train-labels-idx1-ubyte', sha256: sha(bytes.trainLabels) },
      testImages: { file: 't10k-images-idx3-ubyte', sha256: sha(bytes.testImages) },
      testLabels: { file: 't10k-labels-idx1-ubyte', sha256: sha(bytes.testLabels) },
    },
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    mirrors: [],
    envVar: 'FMNIST_FIXTURE_DIR',
    systemDirs: [],
  };
  return { spec, bytes };
}

/** Writes the fixture's four files into `dir`, gzipped or plain. */
export async function writeFixture(dir: string, fixture: ReturnType<typeof makeFixture>, gzip = true) {
  await mkdir(dir, { recursive: true });
  for (const [role, bytes] of Object.entries(fixture.bytes)) {
    const file = fixture.spec.files[role as keyof typeof fixture.bytes].file;
    await writeFile(join(dir, gzip ? `${file}.gz` : file), gzip ? gzipSync(bytes) : bytes);
  }
}

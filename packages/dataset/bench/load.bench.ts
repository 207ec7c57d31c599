import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFashionMnist } from '../src/node.js';

// First load: from wherever the data is (.gz), decompress + parse + verify + cache copy.
// Cached load: from the plain cache copy whose hashes are remembered.
const cacheDir = await mkdtemp(join(tmpdir(), 'fmnist-bench-'));
const timed = async (name: string) => {
  const started = performance.now();
  const data = await loadFashionMnist({ cacheDir, download: false });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({ name, value: Number(seconds.toFixed(3)), unit: 's', source: data.source.origin }),
  );
};
try {
  await timed('dataset.load.first');
  for (let i = 0; i < 3; i++) await timed('dataset.load.cached');
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}

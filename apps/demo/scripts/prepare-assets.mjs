// Copies what the page serves itself: the WASM binaries of tfjs-backend-wasm (the page and its training
// workers load them from ./wasm/), the model's weights (the default network's uint8 copy: a quarter of the
// download, its accuracy measured in its provenance) and, where this machine has them, the four
// Fashion-MNIST `.gz` files for the Train tab (./data/; the page also takes any URL serving them).
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '..', 'public');
const require = createRequire(import.meta.url);

/** Copied to a temporary name and renamed: a build running beside this one never reads half a file. */
function copyAtomic(from, to) {
  const temporary = `${to}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, to);
}
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
mkdirSync(join(publicDir, 'wasm'), { recursive: true });
for (const file of readdirSync(join(wasmDist, 'dist')).filter((f) => f.endsWith('.wasm'))) {
  copyAtomic(join(wasmDist, 'dist', file), join(publicDir, 'wasm', file));
}
const weights = join(here, '..', '..', '..', 'packages', 'model', 'weights', 'vgg-uint8');
mkdirSync(join(publicDir, 'model'), { recursive: true });
for (const file of ['model.json', 'weights.bin', 'provenance.json'])
  copyAtomic(join(weights, file), join(publicDir, 'model', file));
// Debian's dataset-fashion-mnist package, or FASHION_MNIST_DIR (as @fmnist/dataset's own search).
const dataDir = [process.env.FASHION_MNIST_DIR, '/usr/share/datasets/fashion-mnist'].find(
  (dir) => dir && existsSync(join(dir, 'train-images-idx3-ubyte.gz')),
);
if (dataDir) {
  mkdirSync(join(publicDir, 'data'), { recursive: true });
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('-ubyte.gz')))
    copyAtomic(join(dataDir, file), join(publicDir, 'data', file));
} else console.warn('assets: no Fashion-MNIST .gz files found; the Train tab will ask for a URL');
console.log(`assets: wasm binaries, model weights${dataDir ? ', Fashion-MNIST' : ''} in ${publicDir}`);

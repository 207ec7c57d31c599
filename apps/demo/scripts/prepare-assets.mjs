// Copies what the page serves itself: the WASM binaries of tfjs-backend-wasm and the model's weights
// (the default network's uint8 copy: a quarter of the download, its accuracy measured in its provenance).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '..', 'public');
const require = createRequire(import.meta.url);
const wasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
mkdirSync(join(publicDir, 'wasm'), { recursive: true });
for (const file of readdirSync(join(wasmDist, 'dist')).filter((f) => f.endsWith('.wasm'))) {
  copyFileSync(join(wasmDist, 'dist', file), join(publicDir, 'wasm', file));
}
const weights = join(here, '..', '..', '..', 'packages', 'model', 'weights', 'vgg-uint8');
mkdirSync(join(publicDir, 'model'), { recursive: true });
for (const file of ['model.json', 'weights.bin', 'provenance.json'])
  copyFileSync(join(weights, file), join(publicDir, 'model', file));
console.log(`assets: wasm binaries and model weights in ${publicDir}`);

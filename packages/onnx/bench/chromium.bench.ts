// The inference yardstick in headless Chromium: tfjs (WASM, @fmnist/backend's kernels) and
// onnxruntime-web (WASM SIMD, 1 and 2 threads) on the exported vgg model, batch 1 and 1024. The page is
// served by a static server of our own on 127.0.0.1 with COOP/COEP headers, so it is crossOriginIsolated
// and WASM threads are allowed; `?isolated=0` serves it without them (tfjs single-threaded).
import '@tensorflow/tfjs-backend-cpu';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClassifier, shippedWeightsDir } from '@fmnist/model/node';
import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { toOnnx } from '../src/index.js';
import { ARCHITECTURE } from './yardstick.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(
    `SKIPPED the Chromium yardstick: no browser at ${CHROMIUM} (apt install chromium, or set CHROMIUM_PATH)`,
  );
  process.exit(0);
}
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

await tf.setBackend('cpu');
const classifier = await loadClassifier({ architecture: ARCHITECTURE });
const onnx = toOnnx(classifier.model);
classifier.dispose();
const bundle = await build({
  entryPoints: [join(here, 'browser', 'page.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['fmnist-source'],
  write: false,
  logLevel: 'error',
});
const page = bundle.outputFiles[0]!.contents;
const html =
  '<!doctype html><meta charset="utf-8"><title>yardstick</title><script type="module" src="/page.js"></script>';

/** URL prefixes and the folders they serve. */
const FOLDERS: Record<string, string> = {
  '/wasm/': join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'),
  // onnxruntime-web exports no package.json: its dist folder is where its .wasm lives.
  '/ort/': dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')),
  '/model/': shippedWeightsDir({ architecture: ARCHITECTURE }),
};
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.html': 'text/html',
};

async function body(path: string): Promise<{ data: Uint8Array | string; type: string } | undefined> {
  if (path === '/') return { data: html, type: TYPES['.html']! };
  if (path === '/page.js') return { data: page, type: TYPES['.js']! };
  if (path === '/model.onnx') return { data: onnx, type: 'application/octet-stream' };
  for (const [prefix, dir] of Object.entries(FOLDERS)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (!file.startsWith(dir)) return undefined;
    return readFile(file).then(
      (data) => ({ data, type: TYPES[extname(file)] ?? 'application/octet-stream' }),
      () => undefined,
    );
  }
  return undefined;
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const found = await body(url.pathname);
  if (!found) return void response.writeHead(404).end();
  const headers: Record<string, string> = { 'content-type': found.type, 'cache-control': 'no-store' };
  if (url.searchParams.get('isolated') !== '0') {
    headers['cross-origin-opener-policy'] = 'same-origin';
    headers['cross-origin-embedder-policy'] = 'require-corp';
  }
  response.writeHead(200, headers).end(found.data);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const query of [
    'runtime=tfjs&isolated=0',
    'runtime=tfjs',
    'runtime=ort&threads=1',
    'runtime=ort&threads=2',
  ]) {
    const tab = await browser.newPage();
    const finished = new Promise<void>((resolve, reject) => {
      tab.on('console', (message) => {
        const text = message.text();
        if (text.startsWith('{')) console.log(text);
        else if (text === 'DONE') resolve();
        else if (text.startsWith('FAILED')) reject(new Error(`${query}: ${text}`));
      });
      tab.on('pageerror', (error) => reject(error));
    });
    await tab.goto(`${origin}/?${query}`);
    await Promise.race([
      finished,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${query}: timed out`)), 300_000)),
    ]);
    await tab.close();
  }
} finally {
  await browser.close();
  server.close();
}

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import type { Prediction } from '@fmnist/model';
import { loadClassifier } from '@fmnist/model/node';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app, chromiumAvailable, type DemoServer, launchChromium, serveDemo } from './testing/demo-server.js';

let server: DemoServer;
let origin: string;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await serveDemo();
  origin = server.origin;
}, 300_000);
afterAll(() => server?.close());

describe.skipIf(!chromiumAvailable)('the demo in headless Chromium', () => {
  it('classifies gallery images and an upload as the Node classifier does, offline, without console errors', async () => {
    const browser = await launchChromium();
    const errors: string[] = [];
    const external: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:'))
          return route.continue();
        external.push(url);
        return route.abort();
      });
      await page.goto(`${origin}/`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      // Chromium >= 114 has relaxed SIMD: the fused multiply-add build of our conv kernels runs there.
      expect(await page.textContent('#status')).toMatch(
        /WebAssembly backend, SIMD on, threads (on|off), conv kernels: relaxed-simd \(relaxed SIMD: fused multiply-add\)/,
      );
      expect(await page.getAttribute('body', 'data-conv-kernels')).toBe('relaxed-simd');
      expect(await page.textContent('#status')).toMatch(
        /Model: [\d,]+ trainable parameters, \d+\.\d\d% on the test set/,
      );

      await useBestBackend('wasm', { log: null });
      const node = await loadClassifier({ weights: 'uint8' });
      const images = new Uint8Array(await readFile(join(app, 'public', 'samples', 'test-images.bin')));
      for (let index = 0; index < 12; index++) {
        await page.click(`#gallery button[data-index="${index}"]`);
        await page.waitForSelector(`#predictions[data-source^="test image ${index + 1} "]`);
        const shown = await page.$$eval('#predictions li', (items) =>
          items.map((li) => Number((li as HTMLElement).dataset.classIndex)),
        );
        const expected = (node.classify(images.subarray(index * 784, (index + 1) * 784)) as Prediction[]).map(
          (p) => p.classIndex,
        );
        expect(shown).toEqual(expected);
      }

      // Test-time augmentation: the last gallery image again, averaged over six views, as in Node.
      await page.selectOption('#tta', 'flip-shift');
      await page.waitForSelector('#predictions[data-tta="flip-shift"]');
      const averaged = await page.$$eval('#predictions li', (items) =>
        items.map((li) => Number((li as HTMLElement).dataset.classIndex)),
      );
      const expectedAveraged = (
        node.classify(images.subarray(11 * 784, 12 * 784), { tta: 'flip-shift' }) as Prediction[]
      ).map((p) => p.classIndex);
      expect(averaged).toEqual(expectedAveraged);
      await page.selectOption('#tta', '');

      // An upload: test image 5 at 56x56 as a PNG file.
      const big = new Uint8Array(56 * 56);
      for (let y = 0; y < 56; y++)
        for (let x = 0; x < 56; x++)
          big[y * 56 + x] = images[4 * 784 + Math.floor(y / 2) * 28 + Math.floor(x / 2)]!;
      const png = encode({ width: 56, height: 56, data: big, channels: 1, depth: 8 });
      await page.setInputFiles('#upload', {
        name: 'garment.png',
        mimeType: 'image/png',
        buffer: Buffer.from(png),
      });
      await page.waitForSelector('#predictions[data-source="upload garment.png"]');
      const uploaded = await page.$eval('#predictions li', (li) =>
        Number((li as HTMLElement).dataset.classIndex),
      );
      expect(uploaded).toBe((node.classify(png) as Prediction[])[0]!.classIndex);

      const timings = await page.evaluate(() => ({
        first: Number(document.body.dataset.firstPredictionMs),
        inference: Number(document.body.dataset.inferenceMs),
      }));
      console.log(JSON.stringify({ name: 'demo.firstPrediction', value: timings.first, unit: 'ms' }));
      console.log(JSON.stringify({ name: 'demo.inference', value: timings.inference, unit: 'ms' }));
      await mkdir(join(app, 'artifacts'), { recursive: true });
      await page.screenshot({ path: join(app, 'artifacts', 'demo.png'), fullPage: true });
      node.dispose();
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('runs without WebAssembly SIMD when told (?simd=off): says so, loads the plain build, predicts as Node', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const wasmFiles: string[] = [];
      page.on('request', (r) => r.url().endsWith('.wasm') && wasmFiles.push(r.url().split('/').pop()!));
      await page.goto(`${origin}/?simd=off`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      expect(await page.textContent('#status')).toMatch(
        /WebAssembly backend, SIMD off, threads off, conv kernels: off \(no SIMD: \?simd=off\)/,
      );
      expect(await page.getAttribute('body', 'data-conv-kernels')).toBe('off');
      expect(wasmFiles).toEqual(['tfjs-backend-wasm.wasm']);

      await useBestBackend('wasm', { log: null });
      const node = await loadClassifier({ weights: 'uint8' });
      const images = new Uint8Array(await readFile(join(app, 'public', 'samples', 'test-images.bin')));
      for (let index = 0; index < 4; index++) {
        await page.click(`#gallery button[data-index="${index}"]`);
        await page.waitForSelector(`#predictions[data-source^="test image ${index + 1} "]`);
        const shown = await page.$eval('#predictions li', (li) =>
          Number((li as HTMLElement).dataset.classIndex),
        );
        expect(shown).toBe(
          (node.classify(images.subarray(index * 784, (index + 1) * 784)) as Prediction[])[0]!.classIndex,
        );
      }
      node.dispose();
    } finally {
      await browser.close();
    }
  }, 120_000);
});

import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadClassifier } from '@fmnist/model/node';
import { toOnnx } from '@fmnist/onnx';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage } from '../../../testing/chromium-page.js';
import { disagreement, figureLines, type YardstickRuns } from '../../../testing/inference-yardstick.js';
import { yardstickInChromium } from '../../../testing/inference-yardstick-chromium.js';
import type { YardstickResult } from '../../../testing/inference-yardstick-page.js';
import { app, chromiumAvailable, type DemoServer, launchChromium, serveDemo } from './testing/demo-server.js';

// Few timed calls: the figures are printed for the record (`pnpm bench` measures them properly), never
// asserted; the warm-up calls' probabilities are what the test compares.
const RUNS: YardstickRuns = { latencyRuns: 20, throughputRuns: 1 };
// The bound for ONNX Runtime against tfjs.
const TOLERANCE = 1e-4;

let server: DemoServer;
let pageDir: string;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  pageDir = await mkdtemp(join(tmpdir(), 'fmnist-demo-yardstick-'));
  await bundlePage({ page: new URL('./testing/yardstick-page.ts', import.meta.url).pathname }, pageDir);
  // onnxruntime-web exports no package.json: its dist folder is where its .wasm lives.
  const ort = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  server = await serveDemo({ folders: { '/yardstick/': pageDir, '/ort/': ort } });
  // The ONNX export of the model the built demo serves (prepared by the build: the shipped uint8 vgg).
  await tf.setBackend('cpu');
  const shipped = await loadClassifier({ model: join(app, 'public', 'model') });
  await writeFile(join(pageDir, 'model.onnx'), toOnnx(shipped.model));
  shipped.dispose();
}, 300_000);
afterAll(async () => {
  await server?.close();
  if (pageDir) await rm(pageDir, { recursive: true, force: true });
});

describe.skipIf(!chromiumAvailable)('the inference yardstick beside the demo in headless Chromium', () => {
  it('runs our classifier and onnxruntime-web (1 and 2 threads) on the shipped model at batch 1 and 1024: same top-1, probabilities within 1e-4', async () => {
    const browser = await launchChromium();
    try {
      const url = `${server.origin}/yardstick/`;
      const ours = await yardstickInChromium(browser, url, { runtime: 'tfjs', threads: 1, runs: RUNS });
      // The demo is served cross-origin isolated, as its README asks: onnxruntime-web may run threads.
      expect(ours.crossOriginIsolated).toBe(true);
      const results: YardstickResult[] = [ours];
      for (const threads of [1, 2])
        results.push(await yardstickInChromium(browser, url, { runtime: 'ort', threads, runs: RUNS }));
      for (const result of results)
        for (const line of figureLines(result, {
          model: 'vgg-uint8 (demo)',
          runtime: result.runtime,
          threads: result.threads,
          crossOriginIsolated: result.crossOriginIsolated,
        }))
          console.log(line);
      for (const ort of results.slice(1))
        for (const batch of ['batch1', 'batch'] as const) {
          expect(ort.probabilities[batch]).toHaveLength(ours.probabilities[batch].length);
          const { maxDifference, top1Differs } = disagreement(
            ours.probabilities[batch],
            ort.probabilities[batch],
          );
          expect({ threads: ort.threads, batch, top1Differs }).toEqual({
            threads: ort.threads,
            batch,
            top1Differs: 0,
          });
          expect(maxDifference).toBeLessThan(TOLERANCE);
        }
      expect(ours.probabilities.batch).toHaveLength(10 * 1024);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  type ServedPage,
  servePage,
  warnIfNoChromium,
} from '../../../../testing/chromium-page.js';
import type { TrainRequest } from '../testing/browser/trainer-page.js';
import { smallBatch, smallConvModel } from '../testing/small-conv-model.js';
import { tf } from '../testing/tf.js';
import { DataParallelTrainer } from './node-trainer.js';
import type { DataParallelInfo } from './trainer.js';

warnIfNoChromium('the browser trainer tests');

type Trained =
  | {
      ok: true;
      losses: number[];
      tensors: number[];
      weights: number[][];
      info: DataParallelInfo;
      isolated: boolean;
      created: number[];
      evaluated: { loss: number; accuracy: number };
    }
  | { ok: false; error: string };

const BATCH = 24;
const STEPS = 4;
const data = smallBatch(BATCH, 5);
const request = (extra: Partial<TrainRequest> = {}): TrainRequest => ({
  x: Array.from(data.x),
  y: Array.from(data.y),
  batch: BATCH,
  steps: STEPS,
  workers: 2,
  seed: 11,
  ...extra,
});

// A replica that dies after its first shard: it never answers and throws outside any request.
const DIE_ON_STEP = `
const post = self.postMessage.bind(self);
self.postMessage = (message, transfer) => {
  if (message && message.type === 'result') {
    setTimeout(() => { throw new Error('replica lost on purpose'); });
    return;
  }
  post(message, transfer);
};`;

let browser: Browser;
let site: ServedPage;

async function openPage(isolated: boolean): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/${isolated ? 'isolated/' : ''}`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  return page;
}

beforeAll(async () => {
  if (!chromiumAvailable) return;
  browser = await launchChromium();
  site = await servePage({
    wasmFrom: import.meta.url,
    entries: {
      page: new URL('../testing/browser/trainer-page.ts', import.meta.url).pathname,
      // Beside the page's script, where the trainer's default `new URL('./browser-worker.js', …)` looks.
      'browser-worker': new URL('./browser-worker.ts', import.meta.url).pathname,
    },
    files: { 'die-on-step.js': DIE_ON_STEP },
  });
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const trainIn = (page: Page, r: TrainRequest) =>
  page.evaluate((r) => (globalThis as unknown as { train(r: TrainRequest): Promise<Trained> }).train(r), r);

/** The same training in Node: two threads (this one and a worker thread), wasm, the same seeds. */
async function trainInNode() {
  await tf.setBackend('wasm');
  const model = smallConvModel(3);
  const trainer = await DataParallelTrainer.create(model, { workers: 2 });
  try {
    const losses: number[] = [];
    for (let i = 0; i < STEPS; i++)
      losses.push(
        (
          await trainer.step(data.x.slice(), [BATCH, 12, 12, 1], data.y.slice(), [BATCH, 10], {
            seed: 11 + i,
          })
        ).loss,
      );
    return {
      losses,
      weights: model.getWeights().map((w) => Array.from(w.dataSync())),
      evaluated: trainer.evaluate(data.x, [BATCH, 12, 12, 1], data.y, [BATCH, 10]),
    };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

function expectClose(
  a: { losses: number[]; weights: number[][] },
  b: { losses: number[]; weights: number[][] },
) {
  a.losses.forEach((loss, i) => expect(loss).toBeCloseTo(b.losses[i]!, 4));
  a.weights.forEach((w, i) => {
    let worst = 0;
    for (let k = 0; k < w.length; k++) worst = Math.max(worst, Math.abs(w[k]! - b.weights[i]![k]!));
    expect(worst).toBeLessThan(1e-4);
  });
}

describe.skipIf(!chromiumAvailable)('DataParallelTrainer in headless Chromium', () => {
  it('trains and evaluates on two Web Workers as Node does on two threads, with relaxed SIMD and a flat tensor count', async () => {
    const page = await openPage(false);
    const browserRun = await trainIn(page, request());
    if (!browserRun.ok) throw new Error(browserRun.error);
    expect(browserRun.info).toMatchObject({
      transport: 'Web Workers',
      threads: 2,
      localShard: false,
      kernelBuild: 'relaxed-simd',
    });
    expect(browserRun.info.workers.map((w) => w.backend)).toEqual(['wasm', 'wasm']);
    expect(browserRun.losses.at(-1)).toBeLessThan(browserRun.losses[0]!);
    expect(new Set(browserRun.tensors.slice(1)).size).toBe(1);
    const node = await trainInNode();
    expectClose(browserRun, node);
    // The trained model evaluated on the page's workers, and on Node's main thread.
    expect(browserRun.evaluated.loss).toBeCloseTo(node.evaluated.loss, 4);
    expect(browserRun.evaluated.accuracy).toBe(node.evaluated.accuracy);
    await page.close();
  });

  it('gives the same steps with each forced build of the conv kernels', async () => {
    const page = await openPage(false);
    const relaxed = await trainIn(page, request({ kernelBuild: 'relaxed-simd' }));
    const plain = await trainIn(page, request({ kernelBuild: 'simd128' }));
    if (!relaxed.ok) throw new Error(relaxed.error);
    if (!plain.ok) throw new Error(plain.error);
    expect(relaxed.info.kernelBuild).toBe('relaxed-simd');
    expect(plain.info.kernelBuild).toBe('simd128');
    expect(plain.info.workers.map((w) => w.kernels?.build)).toEqual(['simd128', 'simd128']);
    expectClose(plain, relaxed);
    await page.close();
  });

  it('names a worker that dies', async () => {
    const page = await openPage(false);
    const dead = await trainIn(
      page,
      request({ setupModules: [new URL('./die-on-step.js', page.url()).href] }),
    );
    expect(dead.ok).toBe(false);
    expect(!dead.ok && dead.error).toMatch(
      /^DataParallelTrainer\.step: the batch of 24 failed: data-parallel worker [12] of 2 \(Web Workers\) died: .*replica lost on purpose/,
    );
    await page.close();
  });

  it('trains when the page is cross-origin isolated, on workers made by createWorker', async () => {
    const page = await openPage(true);
    const isolated = await trainIn(page, request({ steps: 2, createWorker: true }));
    if (!isolated.ok) throw new Error(isolated.error);
    expect(isolated.isolated).toBe(true);
    expect(isolated.created).toEqual([0, 1]);
    expect(isolated.losses[1]).toBeLessThan(isolated.losses[0]!);
    // tfjs-wasm's threaded build is kept off in workers, so our kernels still bind there.
    expect(isolated.info.kernelBuild).toBe('relaxed-simd');
    await page.close();
  });
});

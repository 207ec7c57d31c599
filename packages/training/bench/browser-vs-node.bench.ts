// Browser training against Node's on the same machine, in the same run: images/s of the quick recipe's
// step (batch 128) with 1 and 2 workers in headless Chromium (Web Workers; the page's thread only applies
// the update) and with 1 and 2 threads in Node (worker_threads; this thread computes a shard), the two
// interleaved round by round so both see the same machine state; and the longest time the page's
// thread was blocked meanwhile (it must stay responsive; the model is built there, the update applied). One JSON line per figure; the issue's goal is a ratio of at
// least 0.9 at each count.
import { useBestBackend } from '@fmnist/backend';
import { chromiumAvailable, launchChromium, servePage } from '../../../testing/chromium-page.js';
import { DataParallelTrainer } from '../src/node.js';
import { timeQuickSteps } from './browser/quick-step.js';

if (!chromiumAvailable) throw new Error('browser-vs-node bench: no Chromium (set CHROMIUM_PATH)');
const batch = Number(process.env.BENCH_BATCH ?? 128);
const steps = Number(process.env.BENCH_STEPS ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

await useBestBackend('wasm', { log: null });
const site = await servePage({
  wasmFrom: import.meta.url,
  entries: {
    page: new URL('./browser/bench-page.ts', import.meta.url).pathname,
    'browser-worker': new URL('../src/data-parallel/browser-worker.ts', import.meta.url).pathname,
  },
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 });
  const best: Record<string, Record<number, number>> = { node: {}, browser: {} };
  const builds: Record<string, string | undefined> = {};
  const longest: Record<number, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const workers of [1, 2]) {
      const node = await timeQuickSteps(
        (model, loss) => DataParallelTrainer.create(model, { workers, loss }),
        batch,
        steps,
      );
      const inPage = await page.evaluate(
        (args) =>
          (
            globalThis as unknown as {
              bench(a: unknown): Promise<{ value: number; kernelBuild?: string; longestBlockMs: number }>;
            }
          ).bench(args),
        { workers, batch, steps },
      );
      best.node![workers] = Math.max(best.node![workers] ?? 0, node.value);
      best.browser![workers] = Math.max(best.browser![workers] ?? 0, inPage.value);
      builds.node = node.kernelBuild;
      builds.browser = inPage.kernelBuild;
      longest[workers] = Math.max(longest[workers] ?? 0, inPage.longestBlockMs);
    }
  }
  const chromium = browser.version();
  for (const workers of [1, 2]) {
    for (const where of ['node', 'browser'] as const)
      console.log(
        JSON.stringify({
          name: `quick recipe training step, ${where === 'node' ? `Node ${process.version} worker_threads` : `Chromium ${chromium} Web Workers`}`,
          value: Number(best[where]![workers]!.toFixed(1)),
          unit: 'img/s',
          backend: 'wasm',
          kernels: builds[where],
          workers,
          batch,
          steps,
          rounds,
        }),
      );
    console.log(
      JSON.stringify({
        name: "longest block of the page's thread while its workers train, quick recipe",
        value: Number(longest[workers]!.toFixed(0)),
        unit: 'ms',
        workers,
        batch,
      }),
    );
    console.log(
      JSON.stringify({
        name: 'browser over Node, quick recipe training step',
        value: Number((best.browser![workers]! / best.node![workers]!).toFixed(2)),
        unit: 'ratio',
        backend: 'wasm',
        workers,
        batch,
      }),
    );
  }
} finally {
  await browser.close();
  await site.close();
}

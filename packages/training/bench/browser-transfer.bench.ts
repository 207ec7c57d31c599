// Would SharedArrayBuffer speed a browser training step? Milliseconds to send the quick recipe's weights
// to a worker and get a gradient of each back: structured clone out and transfer back (what the trainer
// does) against SharedArrayBuffers in a cross-origin isolated page. Compare with a step's time from
// browser-vs-node.bench.ts. One JSON line per figure.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { chromiumAvailable, launchChromium, servePage } from '../../../testing/chromium-page.js';
import { buildModel } from '../src/recipes/build-model.js';
import { QUICK } from './browser/quick-step.js';

if (!chromiumAvailable) throw new Error('browser-transfer bench: no Chromium (set CHROMIUM_PATH)');
await tf.setBackend('cpu');
const model = buildModel(QUICK, 42);
const sizes = model.weights.map((w) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1));
model.dispose();
const site = await servePage({
  entries: { page: new URL('./browser/transfer-page.ts', import.meta.url).pathname },
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/isolated/`);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  const best: Record<string, number> = {};
  for (let round = 0; round < 3; round++)
    for (const mode of ['clone', 'shared'] as const) {
      const ms = await page.evaluate(
        ([sizes, mode]) =>
          (
            globalThis as unknown as { roundTrips(s: number[], m: string, r: number): Promise<number> }
          ).roundTrips(sizes, mode, 20),
        [sizes, mode] as const,
      );
      best[mode] = Math.min(best[mode] ?? Number.POSITIVE_INFINITY, ms);
    }
  const weights = sizes.reduce((a, b) => a + b, 0);
  for (const mode of ['clone', 'shared'])
    console.log(
      JSON.stringify({
        name: `weights to a worker and gradients back, ${mode === 'clone' ? 'structured clone + transfer' : 'SharedArrayBuffer'}`,
        value: Number(best[mode]!.toFixed(2)),
        unit: 'ms',
        weights,
        chromium: browser.version(),
      }),
    );
} finally {
  await browser.close();
  await site.close();
}

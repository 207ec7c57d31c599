import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { loadClassifier } from '@fmnist/model/node';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, type DemoServer, launchChromium, serveDemo } from './testing/demo-server.js';

let server: DemoServer;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await serveDemo();
}, 300_000);
afterAll(() => server?.close());

type Stroke = [number, number][];

/** Three shapes, in [0, 1] coordinates of the drawing area, shifted and scaled by `(dx, dy, s)`. */
const SHAPES: Record<string, (dx: number, dy: number, s: number) => Stroke[]> = {
  circle: (dx, dy, s) => [
    Array.from({ length: 25 }, (_, i): [number, number] => [
      0.5 + dx + 0.3 * s * Math.cos((i / 24) * 2 * Math.PI),
      0.5 + dy + 0.3 * s * Math.sin((i / 24) * 2 * Math.PI),
    ]),
  ],
  cross: (dx, dy, s) => [
    [
      [0.5 + dx - 0.3 * s, 0.5 + dy - 0.3 * s],
      [0.5 + dx + 0.3 * s, 0.5 + dy + 0.3 * s],
    ],
    [
      [0.5 + dx + 0.3 * s, 0.5 + dy - 0.3 * s],
      [0.5 + dx - 0.3 * s, 0.5 + dy + 0.3 * s],
    ],
  ],
  line: (dx, dy, s) => [
    [
      [0.5 + dx - 0.35 * s, 0.5 + dy],
      [0.5 + dx + 0.35 * s, 0.5 + dy],
    ],
  ],
};

/** Draws `strokes` with the mouse on the drawing area, in steps, as a hand would. */
async function draw(page: Page, strokes: Stroke[]) {
  const box = (await page.locator('#own-sketch').boundingBox())!;
  for (const stroke of strokes) {
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    await page.mouse.move(...at(stroke[0]!));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
    await page.mouse.up();
  }
}

const VARIATIONS: [number, number, number][] = [
  [0, 0, 1],
  [0.08, -0.05, 0.8],
  [-0.07, 0.06, 1.1],
  [0.04, 0.08, 0.9],
];

describe.skipIf(!chromiumAvailable)('your own classes in headless Chromium', () => {
  it('learns three drawn classes from four drawings each, classifies new drawings of each, and exports a model Node loads', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.origin}/`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await page.click('#tab-own');
      await page.fill('#own-names', 'just one');
      await page.click('#own-set-names');
      expect(await page.textContent('#own-status')).toMatch(/Give 2–10 different class names/);
      await page.fill('#own-names', 'circle, cross, line');
      await page.click('#own-set-names');
      const names = Object.keys(SHAPES);
      for (const [index, name] of names.entries())
        for (const [dx, dy, s] of VARIATIONS) {
          await draw(page, SHAPES[name]!(dx, dy, s));
          await page.click(`[data-add-drawing="${index}"]`);
        }
      await page.click('#own-train');
      await page.waitForSelector('#own-classify:not([disabled])', { timeout: 60_000 });
      expect(await page.textContent('#own-status')).toMatch(/Trained on 12 examples in [\d.]+ s/);
      for (const name of names) {
        await page.click('#own-clear');
        await draw(page, SHAPES[name]!(-0.04, -0.03, 0.95));
        await page.click('#own-classify');
        await page.waitForSelector(`#own-predictions[data-top]`);
        expect(await page.getAttribute('#own-predictions', 'data-top')).toBe(name);
        await page.evaluate(() => document.getElementById('own-predictions')!.removeAttribute('data-top'));
      }
      // Exported like any model: the two files load in Node, with three outputs and the names given here.
      const downloads: Download[] = [];
      page.on('download', (download) => downloads.push(download));
      await page.click('#own-download');
      await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
      const folder = await mkdtemp(join(tmpdir(), 'fmnist-own-classes-'));
      for (const download of downloads) await download.saveAs(join(folder, download.suggestedFilename()));
      await useBestBackend('wasm', { log: null });
      const node = await loadClassifier({ model: folder });
      expect(node.classNames).toEqual(names);
      const { probabilities, count } = node.predict(new Float32Array(784));
      expect(count).toBe(1);
      expect(probabilities).toHaveLength(3);
      node.dispose();
      await rm(folder, { recursive: true, force: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { axisLabel, renderHtml } from './render-html.js';
import { classificationReport } from './report.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(
    `SKIPPED the HTML report browser test: no Chromium at ${CHROMIUM} (apt-get install chromium; CI installs it)`,
  );

const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'];
const yTrue = Array.from({ length: 200 }, (_, i) => i % 4);
const yPred = yTrue.map((t, i) => (i % 7 === 0 ? (t + 1) % 4 : t));
const probabilities = yPred.flatMap((p) => names.map((_, c) => (c === p ? 0.85 : 0.05)));
const report = classificationReport(yTrue, yPred, { classNames: names, probabilities });
const html = renderHtml({
  report,
  title: 'Test <report>',
  history: {
    loss: [1.2, 0.8, 0.6],
    val_loss: [1.1, 0.9, 0.7],
    acc: [0.6, 0.7, 0.8],
    val_acc: [0.55, 0.68, 0.77],
  },
  mistakes: {
    items: yPred.flatMap((p, i) =>
      p === yTrue[i] ? [] : [{ index: i, trueClass: yTrue[i]!, predictedClass: p, confidence: 0.85 }],
    ),
    images: { data: Uint8Array.from({ length: 200 * 16 }, (_, i) => (i * 11) % 256), shape: [200, 4, 4, 1] },
  },
  metadata: { backend: 'wasm', epochs: 3 },
});

// A 3-class report whose last class has a long name (the clipped label of the bug report), and one
// whose names are long enough to reach past every fixed margin.
const heatmapReports = [
  ['airplane', 'bird', 'T-shirt/top'],
  ['a', 'Ankle boot with laces', 'a class named at some length'],
].map((classNames) => classificationReport([0, 1, 2, 2], [0, 2, 2, 1], { classNames }));

const heatmapOf = (page: string) => page.match(/<svg[^>]*id="confusion-matrix"[\s\S]*?<\/svg>/)![0];

describe('the confusion-matrix heatmap', () => {
  // About 6.5 px a character of 11 px sans-serif; glyphs reach 9 px above the baseline and 3 px below.
  const CHAR = 6.5;
  const [ASCENT, DESCENT] = [9, 3];
  const COS45 = Math.SQRT1_2;

  it.each(heatmapReports)(
    'keeps every class label inside the SVG, the last column label included (%#)',
    (r) => {
      const svg = heatmapOf(renderHtml({ report: r }));
      const width = Number(svg.match(/ width="([\d.]+)"/)![1]);
      const height = Number(svg.match(/ height="([\d.]+)"/)![1]);
      // Column labels: text starting at the translate point, rotated 45° up and to the right.
      const columns = [
        ...svg.matchAll(/<text transform="translate\(([\d.]+),([\d.]+)\) rotate\(-45\)">([^<]*)<\/text>/g),
      ];
      expect(columns.map((m) => m[3])).toEqual(r.classNames);
      for (const [, x, y, name] of columns) {
        const length = CHAR * name!.length;
        expect(Number(x) + COS45 * (length + DESCENT), `right end of '${name}'`).toBeLessThanOrEqual(width);
        expect(Number(y) - COS45 * (length + ASCENT), `top of '${name}'`).toBeGreaterThanOrEqual(0);
      }
      // Row labels: right-aligned at x.
      const rows = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="end">([^<]*)<\/text>/g)];
      expect(rows.map((m) => m[3])).toEqual(r.classNames);
      for (const [, x, y, name] of rows) {
        expect(Number(x) - CHAR * name!.length, `left end of '${name}'`).toBeGreaterThanOrEqual(0);
        expect(Number(y) + DESCENT).toBeLessThanOrEqual(height);
      }
    },
  );
});

describe('renderHtml', () => {
  it('keeps the value labels of its charts inside the chart, small values included', () => {
    expect([axisLabel(0.0015), axisLabel(1.2345), axisLabel(0), axisLabel(-0.004)]).toEqual([
      '1.50e-3',
      '1.23',
      '0.00',
      '-4.00e-3',
    ]);
    const small = renderHtml({
      report,
      title: 'small',
      history: { loss: [0.0151, 0.0015], val_loss: [0.02, 0.0019] },
    });
    const labels = [
      ...small.matchAll(/<text x="([\d.]+)" y="[\d.-]+" text-anchor="end">([\d.e+-]+)<\/text>/g),
    ];
    expect(labels.map((m) => m[2])).toEqual(['0.0200', '1.50e-3']);
    // Right-aligned at x, about 6.5 px a character at 11 px: the left end stays at x >= 0.
    for (const [, x, text] of labels) expect(Number(x) - 6.5 * text!.length).toBeGreaterThanOrEqual(0);
  });

  it('is one file with no external references and escapes text', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('<script');
    expect(html).toContain('Test &#60;report&#62;');
    expect(html).toContain('id="confusion-matrix"');
    expect(html.match(/<img /g)?.length).toBe(24);
  });

  it.skipIf(!available)(
    'opens in headless Chromium with no console errors or requests, and shows the heatmap',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('request', (r) => requests.push(r.url()));
        await page.setContent(html, { waitUntil: 'load' });
        expect(errors).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank')).toEqual([]);
        const shot = await page.locator('#confusion-matrix').screenshot();
        const dir = join(new URL('../', import.meta.url).pathname, 'artifacts');
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, 'confusion-matrix.png'), shot);
        await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
        // The heatmap draws its diagonal in green and its errors in red: both hues are on screen.
        const image = decode(shot);
        let green = 0;
        let red = 0;
        const step = image.channels ?? 4;
        for (let i = 0; i < image.data.length; i += step) {
          const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
          if (g > r + 40 && g > b + 40) green++;
          if (r > g + 40 && r > b + 40) red++;
        }
        expect(green).toBeGreaterThan(500);
        expect(red).toBeGreaterThan(100);
        // Every label's rendered box lies inside its SVG (nothing clipped), long class names included.
        for (const r of heatmapReports) {
          await page.setContent(renderHtml({ report: r }), { waitUntil: 'load' });
          const outside = await page.evaluate(() =>
            [...document.querySelectorAll('svg text')].flatMap((text) => {
              const frame = text.closest('svg')!.getBoundingClientRect();
              const box = text.getBoundingClientRect();
              const inside =
                box.left >= frame.left - 0.5 &&
                box.right <= frame.right + 0.5 &&
                box.top >= frame.top - 0.5 &&
                box.bottom <= frame.bottom + 0.5;
              return inside
                ? []
                : [
                    `${text.textContent} [${box.left}, ${box.right}] × [${box.top}, ${box.bottom}] in [${frame.left}, ${frame.right}] × [${frame.top}, ${frame.bottom}]`,
                  ];
            }),
          );
          expect(outside).toEqual([]);
        }
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

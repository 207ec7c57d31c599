import { encode } from 'fast-png';
import { toBase64 } from './base64.js';
import type { ClassificationReport } from './report.js';

/** Per-epoch values by log key (`loss`, `acc`, `val_loss`, `val_acc`, ...), as tfjs's History keeps them. */
export type TrainingHistory = Record<string, number[]>;

export interface Mistake {
  index: number;
  trueClass: number;
  predictedClass: number;
  confidence: number;
}

export interface HtmlReportInput {
  report: ClassificationReport;
  title?: string;
  history?: TrainingHistory;
  /** Misclassified samples with their pixels (`[n, h, w, c]`, 0–255 or 0–1) to draw the most confident ones. */
  mistakes?: {
    items: Mistake[];
    images: { data: ArrayLike<number>; shape: [number, number, number, number] };
    max?: number;
  };
  /** Shown as a table: run configuration, timings, backend, ... */
  metadata?: Record<string, string | number | boolean>;
}

/** An axis value in at most about seven characters: three significant digits, exponent for small ones. */
export function axisLabel(value: number): string {
  return value !== 0 && Math.abs(value) < 0.01 ? value.toExponential(2) : value.toPrecision(3);
}

/** `s` with the five HTML-special characters as character references. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Text extents at the charts' 11 px sans-serif, over- rather than under-estimated (no layout engine
// here): about 6.5 px a character (DejaVu Sans, Chromium's default on Linux, averages less), glyphs
// reaching 9 px above the baseline and 3 px below.
const CHAR_WIDTH = 6.5;
const ASCENT = 9;
const DESCENT = 3;
const textWidth = (text: string) => CHAR_WIDTH * text.length;

function heatmap(report: ClassificationReport): string {
  const k = report.classNames.length;
  const cell = 44;
  const gap = 6;
  const margin = 10;
  const widest = Math.max(...report.classNames.map(textWidth));
  // Row labels end `gap` left of the grid; column labels rise at 45° from `gap` above it, so each
  // needs its width times cos 45° above the grid and right of its column's centre.
  const left = Math.ceil(margin + widest + gap);
  const top = Math.ceil(margin + Math.SQRT1_2 * (widest + ASCENT) + gap);
  const columnX = (p: number) => left + p * cell + cell / 2;
  const width =
    Math.max(
      left + k * cell,
      ...report.classNames.map((name, p) => columnX(p) + Math.SQRT1_2 * (textWidth(name) + DESCENT)),
    ) + margin;
  const height = top + k * cell + margin;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Confusion matrix" id="confusion-matrix" width="${Math.ceil(width)}" height="${Math.ceil(height)}" font-size="11" font-family="sans-serif">`,
  ];
  report.confusionMatrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    parts.push(
      `<text x="${left - gap}" y="${top + t * cell + cell / 2 + 4}" text-anchor="end">${escapeHtml(report.classNames[t]!)}</text>`,
    );
    row.forEach((count, p) => {
      const share = count / total;
      const hue = t === p ? 140 : 0;
      // Any non-zero cell stands out from the white zeros; darker with its share of the row.
      const light = count === 0 ? 100 : 90 - Math.round(share * 50);
      const x = left + p * cell;
      const y = top + t * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="hsl(${hue},70%,${light}%)"><title>${escapeHtml(report.classNames[t]!)} → ${escapeHtml(report.classNames[p]!)}: ${count}</title></rect>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle">${count}</text>`,
      );
    });
  });
  report.classNames.forEach((name, p) => {
    parts.push(
      `<text transform="translate(${columnX(p)},${top - gap}) rotate(-45)">${escapeHtml(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function classBars(report: ClassificationReport): string {
  const rowHeight = 22;
  // Class names end 6 px left of the bars: room for the longest.
  const label = Math.max(110, Math.ceil(16 + Math.max(...report.classNames.map(textWidth))));
  const scale = 300;
  const height = report.perClass.length * rowHeight + 24;
  const colors = { precision: '#4477aa', recall: '#ee6677', f1: '#228833' } as const;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Per-class metrics" width="${label + scale + 60}" height="${height}" font-size="11" font-family="sans-serif">`,
  ];
  report.perClass.forEach((m, i) => {
    const y = i * rowHeight;
    parts.push(`<text x="${label - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(m.className)}</text>`);
    (['precision', 'recall', 'f1'] as const).forEach((key, j) => {
      parts.push(
        `<rect x="${label}" y="${y + 2 + j * 6}" width="${(m[key] * scale).toFixed(1)}" height="5" fill="${colors[key]}"><title>${key} ${m[key].toFixed(4)}</title></rect>`,
      );
    });
    parts.push(`<text x="${label + scale + 6}" y="${y + 14}">${m.f1.toFixed(3)}</text>`);
  });
  const legendY = height - 6;
  Object.entries(colors).forEach(([key, color], j) => {
    parts.push(
      `<rect x="${label + j * 90}" y="${legendY - 9}" width="10" height="10" fill="${color}"/><text x="${label + j * 90 + 14}" y="${legendY}">${key}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * One SVG line chart of `keys` of `history` by epoch (keys without values are left out; with none left,
 * an empty string): the charts of {@link renderHtml}'s training curves.
 */
export function renderCurve(history: TrainingHistory, keys: string[], title: string): string {
  const series = keys.filter((k) => (history[k]?.length ?? 0) > 0);
  if (series.length === 0) return '';
  const height = 220;
  const pad = 36;
  const values = series.flatMap((k) => history[k]!);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const [hiText, loText] = [axisLabel(hi), axisLabel(lo)];
  // The value labels sit left of the axis: room for the longer one.
  const left = Math.max(pad, Math.ceil(8 + textWidth(hiText.length > loText.length ? hiText : loText)));
  const width = 420 + left - pad;
  const span = hi - lo || 1;
  const epochs = Math.max(...series.map((k) => history[k]!.length));
  const x = (i: number) =>
    left + (epochs > 1 ? (i / (epochs - 1)) * (width - left - pad) : (width - left - pad) / 2);
  const y = (v: number) => height - pad - ((v - lo) / span) * (height - 2 * pad);
  const colors = ['#4477aa', '#ee6677', '#228833', '#ccbb44'];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" font-size="11" font-family="sans-serif">`,
  ];
  parts.push(
    `<text x="${width / 2}" y="14" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>`,
  );
  parts.push(
    `<line x1="${left}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/><line x1="${left}" y1="${pad}" x2="${left}" y2="${height - pad}" stroke="#888"/>`,
  );
  parts.push(
    `<text x="${left - 4}" y="${y(hi) + 4}" text-anchor="end">${hiText}</text><text x="${left - 4}" y="${y(lo) + 4}" text-anchor="end">${loText}</text>`,
  );
  parts.push(`<text x="${width - pad}" y="${height - pad + 16}" text-anchor="end">epoch ${epochs}</text>`);
  series.forEach((key, s) => {
    const points = history[key]!.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${colors[s % colors.length]}" stroke-width="2" points="${points}"/>`,
    );
    parts.push(
      `<text x="${pad + 8 + s * 90}" y="${pad - 6}" fill="${colors[s % colors.length]}">${escapeHtml(key)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

function mistakeGrid(input: NonNullable<HtmlReportInput['mistakes']>, names: string[]): string {
  const { images, items } = input;
  const [, h, w, c] = images.shape;
  let max = 0;
  for (let i = 0; i < images.data.length; i++) max = Math.max(max, images.data[i]!);
  const scale = max > 1 ? 1 : 255;
  const chosen = [...items].sort((a, b) => b.confidence - a.confidence).slice(0, input.max ?? 24);
  const cells = chosen.map((m) => {
    const pixels = new Uint8Array(h * w * 3);
    for (let p = 0; p < h * w; p++) {
      for (let k = 0; k < 3; k++)
        pixels[p * 3 + k] = Math.round(images.data[(m.index * h * w + p) * c + (c === 3 ? k : 0)]! * scale);
    }
    const png = toBase64(encode({ width: w, height: h, data: pixels, channels: 3, depth: 8 }));
    return `<figure><img src="data:image/png;base64,${png}" width="${w * 3}" height="${h * 3}" alt="sample ${m.index}"><figcaption>${escapeHtml(names[m.trueClass]!)} → <b>${escapeHtml(names[m.predictedClass]!)}</b><br>${(100 * m.confidence).toFixed(1)}% · #${m.index}</figcaption></figure>`;
  });
  return `<div class="grid">${cells.join('')}</div>`;
}

/**
 * One self-contained HTML file (inline CSS and SVG, images as data URIs, no script, no network): summary,
 * confusion-matrix heatmap, per-class bars, training curves, most confident mistakes, metadata.
 */
export function renderHtml(input: HtmlReportInput): string {
  const { report } = input;
  const title = input.title ?? 'Classification report';
  const summary = [
    ['accuracy', `${(100 * report.accuracy).toFixed(2)}%`],
    ['samples', String(report.count)],
    ['macro F1', report.macroAvg.f1.toFixed(4)],
    ...Object.entries(report.topKAccuracy ?? {}).map(([k, v]) => [
      `top-${k} accuracy`,
      `${(100 * v).toFixed(2)}%`,
    ]),
    ...(report.logLoss !== undefined ? [['log loss', report.logLoss.toFixed(4)]] : []),
    ...(report.expectedCalibrationError !== undefined
      ? [['calibration error (ECE)', report.expectedCalibrationError.toFixed(4)]]
      : []),
  ];
  const history = input.history;
  const curves = history
    ? `<h2>Training curves</h2><div class="row">${renderCurve(history, ['loss', 'val_loss'], 'loss')}${renderCurve(history, ['acc', 'val_acc', 'accuracy', 'val_accuracy'], 'accuracy')}</div>`
    : '';
  const mistakes =
    input.mistakes && input.mistakes.items.length > 0
      ? `<h2>Most confident mistakes</h2>${mistakeGrid(input.mistakes, report.classNames)}`
      : '';
  const metadata = input.metadata
    ? `<h2>Run</h2><table>${Object.entries(input.metadata)
        .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
        .join('')}</table>`
    : '';
  const confused = report.mostConfused
    .slice(0, 8)
    .map((p) => `<li>${escapeHtml(p.trueName)} → ${escapeHtml(p.predictedName)}: ${p.count}</li>`)
    .join('');
  return htmlPage(
    title,
    `<table id="summary">${summary.map(([k, v]) => `<tr><th>${escapeHtml(k!)}</th><td>${escapeHtml(v!)}</td></tr>`).join('')}</table>
<h2>Confusion matrix</h2><p>Rows: true class; columns: predicted. Colour: share of the row.</p>
<div class="row">${heatmap(report)}<div><h3>Most confused</h3><ul>${confused}</ul></div></div>
<h2>Per class</h2>${classBars(report)}
${curves}${mistakes}${metadata}`,
  );
}

/**
 * A self-contained HTML page in the reports' style (inline CSS, no script, no network) around `body`,
 * HTML the caller has escaped, under the heading `title`.
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse}td,th{padding:3px 10px;text-align:left;border-bottom:1px solid #ddd}
.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.grid{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;font-size:11px;text-align:center;width:96px}
img{image-rendering:pixelated;border:1px solid #ccc}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

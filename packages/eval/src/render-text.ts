import type { ClassificationReport } from './report.js';

/** scikit-learn's `classification_report` text layout (right-aligned columns, `digits` decimals). */
export function renderText(report: ClassificationReport, { digits = 4 }: { digits?: number } = {}): string {
  const width = Math.max('weighted avg'.length, ...report.classNames.map((c) => c.length));
  const cell = (v: string) => ` ${v.padStart(9)}`;
  const num = (v: number) => cell(v.toFixed(digits));
  const row = (name: string, cells: string[]) => `${name.padStart(width)} ${cells.join('')}`;
  const lines = [row('', ['precision', 'recall', 'f1-score', 'support'].map(cell)), ''];
  for (const m of report.perClass)
    lines.push(row(m.className, [num(m.precision), num(m.recall), num(m.f1), cell(String(m.support))]));
  lines.push('');
  lines.push(row('accuracy', [cell(''), cell(''), num(report.accuracy), cell(String(report.count))]));
  for (const [name, avg] of [
    ['macro avg', report.macroAvg],
    ['weighted avg', report.weightedAvg],
  ] as const) {
    lines.push(row(name, [num(avg.precision), num(avg.recall), num(avg.f1), cell(String(avg.support))]));
  }
  const extras: string[] = [];
  for (const [k, value] of Object.entries(report.topKAccuracy ?? {}))
    extras.push(`top-${k} accuracy ${value.toFixed(digits)}`);
  if (report.logLoss !== undefined) extras.push(`log loss ${report.logLoss.toFixed(digits)}`);
  if (report.expectedCalibrationError !== undefined)
    extras.push(`ECE ${report.expectedCalibrationError.toFixed(digits)}`);
  if (extras.length > 0) lines.push('', extras.join(' | '));
  const confused = report.mostConfused
    .slice(0, 5)
    .map((p) => `${p.trueName} → ${p.predictedName} (${p.count})`);
  if (confused.length > 0) lines.push(`most confused: ${confused.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** The report as Markdown: metrics table, summary and confusion matrix. */
export function renderMarkdown(
  report: ClassificationReport,
  { digits = 4 }: { digits?: number } = {},
): string {
  const f = (v: number) => v.toFixed(digits);
  const lines = [
    `**Accuracy ${(100 * report.accuracy).toFixed(2)}%** on ${report.count} samples`,
    '',
    '| class | precision | recall | f1-score | support |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.perClass.map(
      (m) => `| ${m.className} | ${f(m.precision)} | ${f(m.recall)} | ${f(m.f1)} | ${m.support} |`,
    ),
    `| *macro avg* | ${f(report.macroAvg.precision)} | ${f(report.macroAvg.recall)} | ${f(report.macroAvg.f1)} | ${report.count} |`,
    `| *weighted avg* | ${f(report.weightedAvg.precision)} | ${f(report.weightedAvg.recall)} | ${f(report.weightedAvg.f1)} | ${report.count} |`,
    '',
    'Confusion matrix (rows: true class, columns: predicted):',
    '',
    `| | ${report.classNames.join(' | ')} |`,
    `| --- | ${report.classNames.map(() => '---:').join(' | ')} |`,
    ...report.confusionMatrix.map((row, t) => `| **${report.classNames[t]}** | ${row.join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The report as JSON (numbers rounded to 6 decimals, for stable diffs). */
export function renderJson(report: unknown): string {
  return `${JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(6)) : v), 2)}\n`;
}

import { EvaluationError } from './errors.js';
import type { ClassificationReport } from './report.js';

export interface ReportComparison {
  accuracy: { before: number; after: number; delta: number };
  perClass: { className: string; f1Before: number; f1After: number; delta: number }[];
  /** Confusion cells whose counts changed most (off-diagonal), largest change first. */
  confusionChanges: {
    trueName: string;
    predictedName: string;
    before: number;
    after: number;
    delta: number;
  }[];
}

/** What changed from report `a` (before) to report `b` (after) over the same classes. */
export function compareReports(a: ClassificationReport, b: ClassificationReport): ReportComparison {
  if (a.classNames.join('\u0000') !== b.classNames.join('\u0000')) {
    throw new EvaluationError('compareReports: the two reports have different class names');
  }
  const confusionChanges: ReportComparison['confusionChanges'] = [];
  a.confusionMatrix.forEach((row, t) =>
    row.forEach((before, p) => {
      const after = b.confusionMatrix[t]![p]!;
      if (t !== p && after !== before) {
        confusionChanges.push({
          trueName: a.classNames[t]!,
          predictedName: a.classNames[p]!,
          before,
          after,
          delta: after - before,
        });
      }
    }),
  );
  confusionChanges.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  return {
    accuracy: { before: a.accuracy, after: b.accuracy, delta: b.accuracy - a.accuracy },
    perClass: a.perClass.map((m, i) => ({
      className: m.className,
      f1Before: m.f1,
      f1After: b.perClass[i]!.f1,
      delta: b.perClass[i]!.f1 - m.f1,
    })),
    confusionChanges,
  };
}

/** A comparison as Markdown. */
export function renderComparison(c: ReportComparison): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const signed = (v: number, digits = 4) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  return `${[
    `Accuracy ${pct(c.accuracy.before)} → ${pct(c.accuracy.after)} (${signed(100 * c.accuracy.delta, 2)} points)`,
    '',
    '| class | f1 before | f1 after | change |',
    '| --- | ---: | ---: | ---: |',
    ...c.perClass.map(
      (m) => `| ${m.className} | ${m.f1Before.toFixed(4)} | ${m.f1After.toFixed(4)} | ${signed(m.delta)} |`,
    ),
    '',
    ...c.confusionChanges
      .slice(0, 5)
      .map((x) => `- ${x.trueName} → ${x.predictedName}: ${x.before} → ${x.after}`),
  ].join('\n')}\n`;
}

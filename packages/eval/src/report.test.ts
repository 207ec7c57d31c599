import { describe, expect, it } from 'vitest';
import { compareReports, renderComparison } from './compare.js';
import { renderMarkdown, renderText } from './render-text.js';
import { classificationReport } from './report.js';

describe('classificationReport', () => {
  // scikit-learn's documented example (sklearn.metrics.classification_report docstring).
  const report = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], {
    classNames: ['class 0', 'class 1', 'class 2'],
  });

  it("prints scikit-learn's documented report, digit for digit", () => {
    expect(renderText(report, { digits: 2 })).toBe(
      [
        '              precision    recall  f1-score   support',
        '',
        '     class 0       0.50      1.00      0.67         1',
        '     class 1       0.00      0.00      0.00         1',
        '     class 2       1.00      0.67      0.80         3',
        '',
        '    accuracy                           0.60         5',
        '   macro avg       0.50      0.56      0.49         5',
        'weighted avg       0.70      0.60      0.61         5',
        'most confused: class 1 → class 0 (1), class 2 → class 1 (1)',
        '',
      ].join('\n'),
    );
  });

  it('builds the confusion matrix with rows as true classes', () => {
    expect(report.confusionMatrix).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 1, 2],
    ]);
    expect(report.accuracy).toBe(0.6);
  });

  it('gives 0 for classes with no predictions or no samples, as zero_division=0', () => {
    const r = classificationReport([0, 0, 1, 1], [0, 0, 0, 1], {
      classNames: ['a', 'b', 'never', 'also never'],
    });
    expect(r.perClass[2]).toEqual({ className: 'never', precision: 0, recall: 0, f1: 0, support: 0 });
    // a: p = 2/3, r = 1, f1 = 0.8; b: p = 1, r = 0.5, f1 = 2/3; macro over all 4 classes.
    expect(r.macroAvg.precision).toBeCloseTo((2 / 3 + 1) / 4, 12);
    expect(r.macroAvg.f1).toBeCloseTo((0.8 + 2 / 3) / 4, 12);
    expect(r.weightedAvg.recall).toBeCloseTo((1 * 2 + 0.5 * 2) / 4, 12);
  });

  it('adds top-k accuracy, log loss and calibration error from probabilities', () => {
    const probabilities = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.5, 0.4, 0.1];
    const r = classificationReport([0, 1, 1], [0, 2, 0], {
      classNames: ['a', 'b', 'c'],
      probabilities,
      topK: [1, 2],
      calibrationBins: 10,
    });
    expect(r.topKAccuracy).toEqual({ 1: 1 / 3, 2: 1 });
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3) + Math.log(0.4)) / 3, 12);
    // Bins: 0.7 (right) alone, 0.6 (wrong) alone, 0.5 (wrong) alone: ECE = (0.3 + 0.6 + 0.5) / 3.
    expect(r.expectedCalibrationError).toBeCloseTo((0.3 + 0.6 + 0.5) / 3, 12);
  });

  it('lists the most confused pairs first', () => {
    const r = classificationReport([0, 0, 0, 1, 2, 2], [1, 1, 2, 0, 0, 2], { classNames: ['x', 'y', 'z'] });
    expect(r.mostConfused[0]).toMatchObject({ trueName: 'x', predictedName: 'y', count: 2 });
  });

  it.each([
    [[0, 1], [0], {}, 'classificationReport: yTrue has 2 labels but yPred has 1'],
    [[0, 3], [0, 1], {}, 'classificationReport: yTrue[1] is 3, outside the 3 classes 0–2'],
    [[0, 1], [0, -1], {}, 'classificationReport: yPred[1] is -1'],
    [
      [0, 1],
      [0, 1],
      { probabilities: [0.5, 0.5] },
      'classificationReport: probabilities has 2 values; 2 samples × 3 classes need 6',
    ],
    [[0], [0], { probabilities: [Number.NaN, 0, 0] }, 'classificationReport: probabilities[0] is NaN'],
  ])('rejects bad input %#', (yTrue, yPred, extra, message) => {
    expect(() => classificationReport(yTrue, yPred, { classNames: ['a', 'b', 'c'], ...extra })).toThrow(
      message,
    );
  });

  it('renders Markdown with the confusion matrix', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('**Accuracy 60.00%** on 5 samples');
    expect(md).toContain('| **class 2** | 0 | 1 | 2 |');
  });
});

describe('compareReports', () => {
  it('shows what changed between two runs', () => {
    const names = ['a', 'b'];
    const before = classificationReport([0, 0, 1, 1], [0, 1, 1, 0], { classNames: names });
    const after = classificationReport([0, 0, 1, 1], [0, 0, 1, 0], { classNames: names });
    const c = compareReports(before, after);
    expect(c.accuracy).toEqual({ before: 0.5, after: 0.75, delta: 0.25 });
    expect(c.confusionChanges).toEqual([
      { trueName: 'a', predictedName: 'b', before: 1, after: 0, delta: -1 },
    ]);
    expect(renderComparison(c)).toContain('Accuracy 50.00% → 75.00% (+25.00 points)');
    expect(() => compareReports(before, classificationReport([0], [0], { classNames: ['a', 'c'] }))).toThrow(
      'different class names',
    );
  });
});

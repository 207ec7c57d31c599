import { EvaluationError } from './errors.js';

export interface ClassMetrics {
  className: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Average {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ConfusedPair {
  trueClass: number;
  predictedClass: number;
  trueName: string;
  predictedName: string;
  count: number;
}

export interface ClassificationReport {
  count: number;
  classNames: string[];
  accuracy: number;
  /** `confusionMatrix[true][predicted]`. */
  confusionMatrix: number[][];
  perClass: ClassMetrics[];
  macroAvg: Average;
  weightedAvg: Average;
  /** Off-diagonal cells, largest first. */
  mostConfused: ConfusedPair[];
  /** With probabilities: accuracy of the true class being among the k most probable. */
  topKAccuracy?: Record<number, number>;
  logLoss?: number;
  /** With probabilities: expected calibration error over equal-width confidence bins. */
  expectedCalibrationError?: number;
  calibrationBins?: { confidence: number; accuracy: number; count: number }[];
}

export interface ReportOptions {
  /** One name per class. Default: the indices '0', '1', … of as many classes as the data shows. */
  classNames?: readonly string[];
  /** `count * classes` probabilities, row-major (softmax outputs). */
  probabilities?: ArrayLike<number>;
  /** k values for top-k accuracy. Default [1, 3] (with probabilities). */
  topK?: number[];
  /** Bins of the calibration error. Default 15. */
  calibrationBins?: number;
}

// scikit-learn's log_loss clipped probabilities to [1e-15, 1 - 1e-15] (its long-standing default eps).
const LOG_LOSS_EPSILON = 1e-15;

function checkLabels(name: string, labels: ArrayLike<number>, classes: number) {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new EvaluationError(
        `classificationReport: ${name}[${i}] is ${label}, outside the ${classes} classes 0–${classes - 1}`,
      );
    }
  }
}

// Past this many classes default names are more likely a mislabelled array than a real class set.
const MAX_DEFAULT_CLASSES = 10_000;

/** '0', '1', …: as many classes as the probabilities have columns, else as the labels reach (at least 2). */
function defaultClassNames(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  probabilities: ArrayLike<number> | undefined,
): string[] {
  let classes = 2;
  if (probabilities && yTrue.length > 0)
    classes = Math.max(classes, Math.round(probabilities.length / yTrue.length));
  else
    for (const labels of [yTrue, yPred])
      for (let i = 0; i < labels.length; i++)
        if (Number.isInteger(labels[i]) && labels[i]! >= 0) classes = Math.max(classes, labels[i]! + 1);
  if (classes > MAX_DEFAULT_CLASSES) {
    throw new EvaluationError(
      `classificationReport: the labels reach class ${classes - 1}; pass classNames to name the classes`,
    );
  }
  return Array.from({ length: classes }, (_, i) => String(i));
}

/** scikit-learn's ratio with zero_division=0: 0 where the denominator is 0. */
const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);

/**
 * Accuracy, confusion matrix, per-class precision / recall / F1 / support with macro and weighted
 * averages (scikit-learn's definitions; zero division gives 0, as `zero_division=0`), the most confused
 * pairs, and — given probabilities — top-k accuracy, log loss and expected calibration error.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: ReportOptions = {},
): ClassificationReport {
  const n = yTrue.length;
  const classNames = [...(options.classNames ?? defaultClassNames(yTrue, yPred, options.probabilities))];
  const k = classNames.length;
  if (k < 2) throw new EvaluationError('classificationReport: classNames must name at least 2 classes');
  if (yPred.length !== n)
    throw new EvaluationError(`classificationReport: yTrue has ${n} labels but yPred has ${yPred.length}`);
  if (n === 0) throw new EvaluationError('classificationReport: no samples');
  checkLabels('yTrue', yTrue, k);
  checkLabels('yPred', yPred, k);

  const confusionMatrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    confusionMatrix[yTrue[i]!]![yPred[i]!]! += 1;
    if (yTrue[i] === yPred[i]) correct++;
  }
  const perClass = classNames.map((className, c) => {
    const tp = confusionMatrix[c]![c]!;
    const support = confusionMatrix[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusionMatrix.reduce((a, row) => a + row[c]!, 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { className, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const average = (weight: (m: ClassMetrics) => number): Average => {
    const total = perClass.reduce((a, m) => a + weight(m), 0);
    const mean = (key: 'precision' | 'recall' | 'f1') =>
      ratio(
        perClass.reduce((a, m) => a + m[key] * weight(m), 0),
        total,
      );
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: n };
  };
  const mostConfused: ConfusedPair[] = [];
  confusionMatrix.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0)
        mostConfused.push({
          trueClass: t,
          predictedClass: p,
          trueName: classNames[t]!,
          predictedName: classNames[p]!,
          count,
        });
    }),
  );
  mostConfused.sort(
    (a, b) => b.count - a.count || a.trueClass - b.trueClass || a.predictedClass - b.predictedClass,
  );

  const report: ClassificationReport = {
    count: n,
    classNames,
    accuracy: correct / n,
    confusionMatrix,
    perClass,
    macroAvg: average(() => 1),
    weightedAvg: average((m) => m.support),
    mostConfused,
  };
  if (options.probabilities)
    Object.assign(report, probabilityMetrics(yTrue, options.probabilities, k, options));
  return report;
}

function probabilityMetrics(
  yTrue: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  k: number,
  options: ReportOptions,
) {
  const n = yTrue.length;
  if (probabilities.length !== n * k) {
    throw new EvaluationError(
      `classificationReport: probabilities has ${probabilities.length} values; ${n} samples × ${k} classes need ${n * k}`,
    );
  }
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (!Number.isFinite(p) || p < 0)
      throw new EvaluationError(
        `classificationReport: probabilities[${i}] is ${p}; expected a finite value ≥ 0`,
      );
  }
  const ks = (options.topK ?? [1, 3]).filter((v) => v >= 1 && v <= k);
  const topHits = new Map(ks.map((v) => [v, 0]));
  const binCount = options.calibrationBins ?? 15;
  const bins = Array.from({ length: binCount }, () => ({ confidence: 0, correct: 0, count: 0 }));
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: k }, (_, c) => probabilities[i * k + c]!);
    const sum = row.reduce((a, b) => a + b, 0) || 1;
    const truth = yTrue[i]!;
    const pTrue = Math.min(Math.max(row[truth]! / sum, LOG_LOSS_EPSILON), 1 - LOG_LOSS_EPSILON);
    logLoss -= Math.log(pTrue);
    // Rank of the true class: how many classes are strictly more probable.
    const rank = row.filter((p) => p > row[truth]!).length;
    for (const v of ks) if (rank < v) topHits.set(v, topHits.get(v)! + 1);
    let best = 0;
    for (let c = 1; c < k; c++) if (row[c]! > row[best]!) best = c;
    const confidence = row[best]! / sum;
    const bin = bins[Math.min(binCount - 1, Math.floor(confidence * binCount))]!;
    bin.confidence += confidence;
    bin.count += 1;
    if (best === truth) bin.correct += 1;
  }
  const calibrationBins = bins.map((b) => ({
    confidence: ratio(b.confidence, b.count),
    accuracy: ratio(b.correct, b.count),
    count: b.count,
  }));
  const expectedCalibrationError = calibrationBins.reduce(
    (a, b) => a + (b.count / n) * Math.abs(b.accuracy - b.confidence),
    0,
  );
  return {
    topKAccuracy: Object.fromEntries([...topHits].map(([v, hits]) => [v, hits / n])),
    logLoss: logLoss / n,
    expectedCalibrationError,
    calibrationBins,
  };
}

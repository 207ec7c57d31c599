export { compareReports, type ReportComparison, renderComparison } from './compare.js';
export { EvaluationError } from './errors.js';
export {
  escapeHtml,
  type HtmlReportInput,
  htmlPage,
  type Mistake,
  renderCurve,
  renderHtml,
  type TrainingHistory,
} from './render-html.js';
export { renderJson, renderMarkdown, renderText } from './render-text.js';
export {
  type Average,
  type ClassificationReport,
  type ClassMetrics,
  type ConfusedPair,
  classificationReport,
  type ReportOptions,
} from './report.js';

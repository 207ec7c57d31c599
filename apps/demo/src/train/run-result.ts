import { CLASS_NAMES } from '@fmnist/dataset';
import { type ClassificationReport, renderHtml } from '@fmnist/eval';
import { type Classifier, loadClassifier } from '@fmnist/model';
import { downloadModel } from '../model-files.js';
import { fromPlainArtifacts, type PlainArtifacts } from './model-artifacts.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/**
 * A finished run in the page: the test-set report (per class and the confusion matrix, @fmnist/eval's
 * HTML), "use this model" and the download.
 */
export async function showRunResult(
  report: ClassificationReport,
  artifacts: PlainArtifacts,
  use: (classifier: Classifier, description: string) => void,
): Promise<Classifier> {
  const classifier = await loadClassifier({ model: fromPlainArtifacts(artifacts), classNames: CLASS_NAMES });
  $('train-result').hidden = false;
  $('train-accuracy').textContent =
    `${(100 * report.accuracy).toFixed(2)}% of ${report.count} test images classified right.`;
  // @fmnist/eval's self-contained report (no script), its styles kept to itself in a shadow root.
  const host = $('train-report');
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.innerHTML = renderHtml({ report, title: 'The model trained here' });
  const description = `trained here (${(100 * report.accuracy).toFixed(2)}% on ${report.count} test images)`;
  $('use-trained').onclick = () => use(classifier, description);
  $('download-trained').onclick = () => downloadModel(classifier, 'model');
  return classifier;
}

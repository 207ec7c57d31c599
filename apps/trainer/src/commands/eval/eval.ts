import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BACKEND_CHOICES, useBestBackend } from '@fmnist/backend';
import { CLASS_NAMES } from '@fmnist/dataset';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { renderHtml, renderJson, renderText } from '@fmnist/eval';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { directoryLoadHandler } from '@fmnist/io/node';
import { EXIT, UsageError } from '../../cli/exit-codes.js';
import { choiceFlag, defineFlags, integerFlag, SHARED_FLAGS, userPath } from '../../cli/flags.js';

const FLAGS = defineFlags(
  {
    'data-dir': SHARED_FLAGS['data-dir'],
    html: {
      type: 'string',
      value: 'FILE',
      help: 'also write the report as HTML, with the mistakes',
      path: true,
    },
    json: { type: 'string', value: 'FILE', help: 'also write the report as JSON', path: true },
    backend: SHARED_FLAGS.backend,
    'batch-size': { type: 'string', value: 'N', help: 'images per forward pass', default: '256' },
    help: SHARED_FLAGS.help,
  },
  { positionals: true },
);

const USAGE = `Usage: fmnist-eval <model-dir | model.json> [options]

Evaluates a saved tfjs layers model on the Fashion-MNIST test set and prints scikit-learn's report.
For Fashion-MNIST models only (28x28x1 input, 10 classes); for your own data and class names, call
evaluateClassifier() from @fmnist/eval/tfjs.

${FLAGS.help()}`;

/** `fmnist-eval`: a saved model's report on the Fashion-MNIST test set. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = FLAGS.parse(argv);
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const target = positionals[0] && userPath(positionals[0]);
  if (!target) throw new UsageError(`a model path is required\n\n${USAGE}`);
  const backend = choiceFlag('backend', values.backend, BACKEND_CHOICES);
  const batchSize = integerFlag('batch-size', values['batch-size'], 1)!;
  await useBestBackend(backend, { importModule: (s) => import(s) });
  const tfl = await import('@tensorflow/tfjs-layers');
  const dir = target.endsWith('.json') ? dirname(target) : target;
  const model = await tfl.loadLayersModel(directoryLoadHandler(dir));
  const input = model.inputs[0]!.shape;
  const output = model.outputs[0]!.shape;
  if (input.slice(1).join('x') !== '28x28x1' || output.at(-1) !== CLASS_NAMES.length) {
    throw new UsageError(
      `${target} takes [${input.map((d) => d ?? 'n').join(',')}] and outputs ${output.at(-1)} per image; ` +
        'fmnist-eval evaluates Fashion-MNIST models (28x28x1 input, 10 classes): for other data, call evaluateClassifier() from @fmnist/eval/tfjs',
    );
  }
  const { test } = await loadFashionMnist({ dataDir: values['data-dir'] });
  const result = await evaluateClassifier(model, test, test.labels, { classNames: CLASS_NAMES, batchSize });
  console.log(renderText(result.report));
  console.log(
    `${test.count} images in ${result.seconds.toFixed(1)} s (${result.imagesPerSecond.toFixed(0)} images/s)`,
  );
  if (values.json) await writeFile(values.json, renderJson(result.report));
  if (values.html) {
    await writeFile(
      values.html,
      renderHtml({
        report: result.report,
        title: `Fashion-MNIST test set: ${target}`,
        mistakes: {
          items: result.misclassified,
          images: { data: test.images, shape: [test.count, 28, 28, 1] },
        },
        metadata: {
          model: target,
          parameters: model.countParams(),
          'images/s': result.imagesPerSecond.toFixed(0),
        },
      }),
    );
  }
  return EXIT.ok;
}

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLASS_NAMES, type ImageSet } from '@fmnist/dataset';
import { renderHtml, renderJson, renderText } from '@fmnist/eval';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { directorySaveHandler } from '@fmnist/io/node';
import { countTrainableParams } from '@fmnist/model';
import type { TrainingState } from '@fmnist/training';
import type * as tfl from '@tensorflow/tfjs-layers';
import { equivalentCommand, type RunConfig } from './config.js';
import { readHistoryCsv } from './history.js';
import { writeProvenance } from './provenance.js';

export interface RunResult {
  testAccuracy: number;
  interrupted: boolean;
}

/** Test-set evaluation, the final model and the reports. */
export async function finishRun({
  out,
  config,
  model,
  test,
  state,
  backend,
  threads,
  resumed,
}: {
  out: string;
  config: RunConfig;
  model: tfl.LayersModel;
  test: ImageSet;
  state: TrainingState;
  backend: string;
  threads: number;
  resumed: boolean;
}): Promise<RunResult> {
  const command = config.command ?? equivalentCommand(config);
  const evaluation = await evaluateClassifier(model, test, test.labels, { classNames: CLASS_NAMES });
  const { report } = evaluation;
  await model.save(directorySaveHandler(join(out, 'model')));
  const summary = {
    testAccuracy: report.accuracy,
    parameters: model.countParams(),
    trainableParameters: countTrainableParams(model),
    trainSeconds: Number(state.trainSeconds.toFixed(1)),
    imagesPerSecond: Number((state.imagesSeen / Math.max(state.trainSeconds, 1e-9)).toFixed(1)),
    epochs: state.epoch,
    backend,
    threads,
    recipe: config.recipe.name,
    seed: config.seed,
  };
  await writeProvenance(join(out, 'model'), {
    command,
    ...(resumed ? { resumed: true } : {}),
    recipe: config.recipe,
    ...(config.teachers ? { teachers: config.teachers } : {}),
    epochs: state.epoch,
    seed: config.seed,
    backend,
    threads,
    trainSeconds: summary.trainSeconds,
    testAccuracy: report.accuracy,
    parameters: summary.parameters,
    trainableParameters: summary.trainableParameters,
    date: new Date().toISOString(),
  });
  await writeFile(join(out, 'report.json'), renderJson({ summary, report }));
  await writeFile(
    join(out, 'report.html'),
    renderHtml({
      report,
      title: `Fashion-MNIST: ${config.recipe.name} recipe, test set`,
      history: readHistoryCsv(join(out, 'history.csv')),
      mistakes: {
        items: evaluation.misclassified,
        images: { data: test.images, shape: [test.count, test.height, test.width, test.channels] },
      },
      metadata: {
        ...summary,
        command,
        date: new Date().toISOString(),
      },
    }),
  );
  console.log(renderText(report));
  console.log(
    `test accuracy ${(100 * report.accuracy).toFixed(2)}% | ${summary.parameters} parameters | ` +
      `${(state.trainSeconds / 60).toFixed(1)} min training | ${summary.imagesPerSecond.toFixed(0)} images/s | ${backend} x${threads}`,
  );
  // Last, where a reader looks: where everything went (absolute, true from any directory).
  console.log(`run folder: ${out}`);
  console.log(`report:     ${join(out, 'report.html')}`);
  return { testAccuracy: report.accuracy, interrupted: false };
}

import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataParallelTrainer, directorySaveHandler, useBestBackend } from '@fmnist/backend';
import { oneCycleLR } from '@fmnist/callbacks';
import { batches, type ImageSet, loadFashionMnist, splitValidation, takeSamples } from '@fmnist/dataset';
import type { AdamWOptimizer } from '@fmnist/model';
import { buildAugmentation, buildModel, createAugmenter } from './build.js';
import { loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';
import type { RunConfig } from './config.js';
import { evaluate } from './evaluate.js';
import { Progress } from './progress.js';

export interface RunResult {
  testAccuracy: number;
  interrupted: boolean;
}

const HISTORY_HEADER = 'epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,images_per_second\n';

/** Trains and evaluates as `config` says, in `config.out`; continues the run there if it has a checkpoint. */
export async function runTraining(
  config: RunConfig,
  options: { resume: boolean; stop: () => boolean },
): Promise<RunResult> {
  const out = resolve(config.out);
  const { recipe } = config;
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);

  const data = await loadFashionMnist({ dataDir: config.dataDir, download: config.download });
  console.log(
    `data: ${data.train.count} train / ${data.test.count} test images from ${data.source.dir} (${data.source.origin})`,
  );
  let train: ImageSet = config.limit ? takeSamples(data.train, config.limit) : data.train;
  let validation: ImageSet | undefined;
  if (recipe.validationSplit > 0) {
    ({ train, validation } = splitValidation(train, recipe.validationSplit, { seed: config.seed }));
  }

  // Resolved from the app, where tfjs-node is an optional dependency (the backend package only peers it).
  const backend = await useBestBackend(config.backend, { importModule: (specifier) => import(specifier) });
  const model = buildModel(recipe, config.seed);
  const optimizer = model.optimizer as AdamWOptimizer;
  const lastDir = join(out, 'checkpoints', 'last');
  let state: TrainingState = {
    epoch: 0,
    batchInEpoch: 0,
    globalStep: 0,
    augmentState: config.seed,
    trainSeconds: 0,
    imagesSeen: 0,
  };
  if (options.resume) {
    state = await loadCheckpoint(lastDir, model);
    console.log(`resumed from ${lastDir}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`);
  } else {
    await writeFile(join(out, 'history.csv'), HISTORY_HEADER);
  }
  const trainer = await DataParallelTrainer.create(model, {
    workers: config.workers,
    loss: { type: 'categoricalCrossentropy', labelSmoothing: recipe.labelSmoothing },
  });
  const params = model.countParams();
  console.log(
    `model: ${params} parameters; recipe ${recipe.name}; ${trainer.threads} thread(s) on ${backend.name}; ` +
      `${recipe.epochs} epochs of ${train.count} images, batch ${recipe.batchSize}`,
  );
  const stepsPerEpoch = Math.ceil(train.count / recipe.batchSize);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  const pipeline = buildAugmentation(recipe);
  const size = train.height * train.width * train.channels;
  let interrupted = false;

  try {
    for (let epoch = state.epoch; epoch < recipe.epochs && !interrupted; epoch++) {
      const augment = createAugmenter(pipeline, { seed: state.augmentState });
      const progress = new Progress(epoch, recipe.epochs, stepsPerEpoch);
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      const epochStarted = performance.now();
      let step = 0;
      for (const batch of batches(train, recipe.batchSize, {
        shuffle: true,
        seed: config.seed * 1000 + epoch,
      })) {
        if (step++ < state.batchInEpoch) continue;
        if (recipe.schedule.type === 'oneCycle') {
          optimizer.learningRate = oneCycleLR(state.globalStep, { ...recipe.schedule, totalSteps });
        }
        const augmented = augment({
          data: batch.images,
          shape: [batch.count, train.height, train.width, train.channels],
        });
        const x = new Float32Array(batch.count * size);
        for (let i = 0; i < x.length; i++) x[i] = augmented.data[i]! / 255;
        const y = new Float32Array(batch.count * 10);
        for (let i = 0; i < batch.count; i++) y[i * 10 + batch.labels[i]!] = 1;
        const started = performance.now();
        const result = await trainer.step(x, [batch.count, train.height, train.width, train.channels], y, [
          batch.count,
          10,
        ]);
        const seconds = (performance.now() - started) / 1000;
        lossSum += result.loss * batch.count;
        correctSum += result.accuracy * batch.count;
        seen += batch.count;
        state.globalStep++;
        state.batchInEpoch = step;
        state.trainSeconds += seconds;
        state.imagesSeen += batch.count;
        state.augmentState = augment.state;
        progress.update(step, {
          loss: lossSum / seen,
          accuracy: correctSum / seen,
          lr: optimizer.learningRate,
        });
        if (!Number.isFinite(result.loss))
          throw new Error(`loss became ${result.loss} at step ${state.globalStep}`);
        if (options.stop()) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
      const epochSeconds = (performance.now() - epochStarted) / 1000;
      const val = validation ? evaluate(model, validation) : undefined;
      const row = [
        epoch + 1,
        (lossSum / Math.max(seen, 1)).toFixed(5),
        (correctSum / Math.max(seen, 1)).toFixed(5),
        val ? val.loss.toFixed(5) : '',
        val ? val.accuracy.toFixed(5) : '',
        optimizer.learningRate.toExponential(4),
        epochSeconds.toFixed(1),
        (seen / epochSeconds).toFixed(1),
      ];
      await appendFile(join(out, 'history.csv'), `${row.join(',')}\n`);
      progress.finish({ loss: lossSum / Math.max(seen, 1), accuracy: correctSum / Math.max(seen, 1), val });
      state = { ...state, epoch: epoch + 1, batchInEpoch: 0 };
      await saveCheckpoint(lastDir, model, state);
    }
    if (interrupted) {
      await saveCheckpoint(lastDir, model, state);
      return { testAccuracy: Number.NaN, interrupted: true };
    }
    const test = evaluate(model, data.test);
    await model.save(directorySaveHandler(join(out, 'model')));
    const summary = {
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      parameters: params,
      trainSeconds: state.trainSeconds,
      imagesPerSecond: state.imagesSeen / Math.max(state.trainSeconds, 1e-9),
      backend: backend.name,
      threads: trainer.threads,
      recipe: recipe.name,
      epochs: recipe.epochs,
    };
    await writeFile(join(out, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(
      `test accuracy ${(100 * test.accuracy).toFixed(2)}% | ${params} parameters | ` +
        `${(state.trainSeconds / 60).toFixed(1)} min training | ${summary.imagesPerSecond.toFixed(0)} images/s | ` +
        `${backend.name} x${trainer.threads}`,
    );
    return { testAccuracy: test.accuracy, interrupted: false };
  } finally {
    await trainer.dispose();
  }
}

export async function hasCheckpoint(out: string): Promise<boolean> {
  const dir = join(resolve(out), 'checkpoints', 'last');
  return existsSync(join(dir, 'state.json')) || existsSync(join(`${dir}.old`, 'state.json'));
}

export async function readSavedConfig(out: string): Promise<RunConfig> {
  return JSON.parse(await readFile(join(resolve(out), 'config.json'), 'utf8')) as RunConfig;
}

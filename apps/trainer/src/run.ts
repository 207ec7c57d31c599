import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DataParallelTrainer, fitDataParallel, type TrainingBatch, useBestBackend } from '@fmnist/backend';
import {
  csvLogger,
  earlyStopping,
  modelCheckpoint,
  oneCycle,
  progressBar,
  type ResumableCallback,
  reduceLROnPlateau,
  tensorBoard,
  terminateOnNaN,
  weightsEMA,
} from '@fmnist/callbacks';
import {
  batches,
  CLASS_NAMES,
  type ImageSet,
  loadFashionMnist,
  splitValidation,
  takeSamples,
} from '@fmnist/dataset';
import { renderHtml, renderJson, renderText } from '@fmnist/eval';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { directorySaveHandler } from '@fmnist/io';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildAugmentation, buildModel, createAugmenter } from './build.js';
import { loadAverage, loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';
import { equivalentCommand, type RunConfig } from './config.js';
import { distillationTargets, teacherTargets } from './distill.js';
import { UsageError } from './exit-codes.js';
import { readHistoryCsv } from './history.js';
import { writeProvenance } from './provenance.js';

export interface RunResult {
  testAccuracy: number;
  interrupted: boolean;
}

/** Trains and evaluates as `config` says, in `config.out`; with `resume`, continues from its checkpoint. */
export async function runTraining(
  config: RunConfig,
  options: { resume: boolean; stop: () => boolean },
): Promise<RunResult> {
  const out = resolve(config.out);
  const { recipe } = config;
  await checkWritable(out);
  const data = await loadFashionMnist({
    dataDir: config.dataDir,
    onlyDataDir: Boolean(config.dataDir),
    download: config.download,
  });
  if (!options.resume) await writeFile(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  console.log(
    `data: ${data.train.count} train / ${data.test.count} test images from ${data.source.dir} (${data.source.origin})`,
  );
  let train: ImageSet = config.limit ? takeSamples(data.train, config.limit) : data.train;
  let validation: ImageSet | undefined;
  if (recipe.validationSplit > 0)
    ({ train, validation } = splitValidation(train, recipe.validationSplit, { seed: config.seed }));

  // Resolved from the app, where tfjs-node is an optional dependency (the backend package only peers it).
  const backend = await useBestBackend(config.backend, { importModule: (specifier) => import(specifier) });
  const model = buildModel(recipe, config.seed);
  const lastDir = join(out, 'checkpoints', 'last');
  let state: TrainingState = {
    epoch: 0,
    batchInEpoch: 0,
    globalStep: 0,
    augmentState: config.seed,
    trainSeconds: 0,
    imagesSeen: 0,
  };
  let resumedFrom = lastDir;
  if (options.resume) {
    ({ state, dir: resumedFrom } = await loadCheckpoint(lastDir, model));
    console.log(`resumed from ${resumedFrom}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`);
  }
  // Before the workers start, so the teachers have both cores.
  const targets = recipe.distill ? await teacherTargets(recipe.distill, train, out) : undefined;
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
  const pipeline = buildAugmentation(recipe);
  const [h, w, c] = [train.height, train.width, train.channels];
  const size = h * w * c;
  const monitor = validation ? 'val_loss' : 'loss';
  const callbacks: tfl.Callback[] = [];
  // Callbacks whose counters go into checkpoints, by role, so a resumed run behaves as an unbroken one.
  const resumable: Record<string, tfl.Callback & ResumableCallback> = {};
  if (recipe.schedule.type === 'oneCycle') {
    callbacks.push(
      oneCycle({
        ...recipe.schedule,
        totalSteps: stepsPerEpoch * recipe.epochs,
        initialStep: state.globalStep,
      }),
    );
  } else if (recipe.schedule.type === 'reduceOnPlateau') {
    const { factor, patience, minLR } = recipe.schedule;
    resumable.plateau = reduceLROnPlateau({
      monitor: validation ? recipe.schedule.monitor : 'loss',
      factor,
      patience,
      minLR,
      verbose: 1,
    });
    callbacks.push(resumable.plateau);
  }
  if (recipe.earlyStopping) {
    const { patience, restoreBestWeights } = recipe.earlyStopping;
    resumable.earlyStopping = earlyStopping({
      monitor: validation ? recipe.earlyStopping.monitor : 'loss',
      patience,
      restoreBestWeights,
      verbose: 1,
    });
    callbacks.push(resumable.earlyStopping);
  }
  // The average is put into the model only when training completes (an interrupted run resumes from
  // its own weights, with the average beside them in the checkpoint).
  const ema = recipe.ema ? weightsEMA({ decay: recipe.ema.decay, applyOnTrainEnd: false }) : undefined;
  if (ema) {
    resumable.ema = ema;
    callbacks.push(ema);
    const average = options.resume ? await loadAverage(resumedFrom) : undefined;
    if (average) {
      ema.setWeights(average);
      tf.dispose(average);
    }
  }
  let stepStarted = 0;
  let lastSave = performance.now();
  const saveEvery = (config.checkpointMinutes ?? 10) * 60_000;
  const totals = { ...(state.epochTotals ?? { loss: 0, correct: 0, seen: 0 }) };
  const tracker = new (class extends tfl.Callback {
    override async onBatchBegin() {
      stepStarted = performance.now();
    }
    override async onBatchEnd(batch: number, logs?: { size?: number; loss?: number; acc?: number }) {
      const size = logs?.size ?? 0;
      state.globalStep += 1;
      state.batchInEpoch = batch + 1;
      state.trainSeconds += (performance.now() - stepStarted) / 1000;
      state.imagesSeen += size;
      totals.loss += (logs?.loss ?? 0) * size;
      totals.correct += (logs?.acc ?? 0) * size;
      totals.seen += size;
      state.epochTotals = { ...totals };
      // Mid-epoch checkpoints bound what a kill (a session ending, a crash) loses; resuming is exact.
      if (performance.now() - lastSave >= saveEvery) await save();
    }
    override async onEpochEnd(epoch: number) {
      Object.assign(totals, { loss: 0, correct: 0, seen: 0 });
      state = { ...state, epoch: epoch + 1, batchInEpoch: 0, epochTotals: undefined };
      await save();
    }
  })();
  async function save() {
    const average = ema?.getWeights();
    await saveCheckpoint(lastDir, model, withCallbackStates(), average);
    tf.dispose(average ?? []);
    lastSave = performance.now();
  }
  if (config.tensorboard !== false) {
    // A few augmented training images, from an augmenter of their own (the training stream is untouched).
    const sample = takeSamples(train, Math.min(6, train.count));
    const shown = createAugmenter(pipeline, { seed: config.seed })({
      data: sample.images,
      shape: [sample.count, h, w, c],
    });
    resumable.tensorboard = tensorBoard(config.tensorboard ?? join(out, 'tensorboard'), {
      images: { data: shown.data, shape: [sample.count, h, w, c], tag: 'augmented' },
    });
    callbacks.push(resumable.tensorboard);
  }
  resumable.bestCheckpoint = modelCheckpoint({
    path: join(out, 'checkpoints', 'best'),
    monitor,
    saveBestOnly: true,
  });
  for (const [role, saved] of Object.entries(state.callbacks ?? {})) resumable[role]?.setState(saved);
  const withCallbackStates = (): TrainingState => ({
    ...state,
    callbacks: Object.fromEntries(Object.entries(resumable).map(([role, c]) => [role, c.getState()])),
  });
  // The checkpoint is saved after the callbacks it records have seen the epoch.
  callbacks.push(
    terminateOnNaN(),
    resumable.bestCheckpoint,
    tracker,
    csvLogger({ path: join(out, 'history.csv'), append: options.resume }),
    progressBar(),
  );

  let augment = createAugmenter(pipeline, { seed: state.augmentState });
  function* epochBatches(epoch: number): Generator<TrainingBatch> {
    const skip = epoch === state.epoch ? state.batchInEpoch : 0;
    let index = 0;
    for (const batch of batches(train, recipe.batchSize, {
      shuffle: true,
      seed: config.seed * 1000 + epoch,
    })) {
      if (index++ < skip) continue;
      const augmented = augment({ data: batch.images, shape: [batch.count, h, w, c] });
      // The augmentation stream's state after this batch: a checkpoint taken now continues from here.
      state.augmentState = augment.state;
      const x = new Float32Array(batch.count * size);
      for (let i = 0; i < x.length; i++) x[i] = augmented.data[i]! / 255;
      const y = new Float32Array(batch.count * 10);
      if (targets) distillationTargets(y, batch.labels, batch.indices, targets, recipe.distill!.alpha);
      else for (let i = 0; i < batch.count; i++) y[i * 10 + batch.labels[i]!] = 1;
      yield { x, xShape: [batch.count, h, w, c], y, yShape: [batch.count, 10] };
    }
  }

  try {
    const result = await fitDataParallel(trainer, {
      epochs: recipe.epochs,
      initialEpoch: state.epoch,
      initialBatch: state.batchInEpoch,
      initialTotals: state.epochTotals,
      stepsPerEpoch,
      batches: (epoch) => {
        augment = createAugmenter(pipeline, { seed: state.augmentState });
        return epochBatches(epoch);
      },
      callbacks,
      validate: validation
        ? async () => {
            const v = await evaluateClassifier(model, validation!, validation!.labels, {
              classNames: CLASS_NAMES,
            });
            return { val_loss: v.report.logLoss!, val_acc: v.report.accuracy };
          }
        : undefined,
      shouldStop: options.stop,
    });
    if (result.interrupted) {
      await save();
      return { testAccuracy: Number.NaN, interrupted: true };
    }
    if (ema) {
      ema.swap();
      ema.dispose();
    }
    return await finish(out, config, model, data.test, state, backend.name, trainer.threads, options.resume);
  } finally {
    await trainer.dispose();
  }
}

/** Test-set evaluation, the final model and the reports. */
async function finish(
  out: string,
  config: RunConfig,
  model: tfl.LayersModel,
  test: ImageSet,
  state: TrainingState,
  backend: string,
  threads: number,
  resumed: boolean,
): Promise<RunResult> {
  const command = config.command ?? equivalentCommand(config);
  const evaluation = await evaluateClassifier(model, test, test.labels, { classNames: CLASS_NAMES });
  const { report } = evaluation;
  await model.save(directorySaveHandler(join(out, 'model')));
  const summary = {
    testAccuracy: report.accuracy,
    parameters: model.countParams(),
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
    epochs: state.epoch,
    seed: config.seed,
    backend,
    threads,
    trainSeconds: summary.trainSeconds,
    testAccuracy: report.accuracy,
    parameters: summary.parameters,
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
  return { testAccuracy: report.accuracy, interrupted: false };
}

/** A UsageError now, before any data is loaded, if the run directory cannot be written. */
async function checkWritable(out: string) {
  try {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, '.write-test'), '');
    await rm(join(out, '.write-test'));
  } catch (error) {
    throw new UsageError(`--out ${out}: cannot write there (${(error as Error).message})`);
  }
}

export function hasCheckpoint(out: string): boolean {
  const checkpoints = join(resolve(out), 'checkpoints');
  return ['last', 'last.old', 'previous'].some((name) => existsSync(join(checkpoints, name, 'state.json')));
}

export async function readSavedConfig(out: string): Promise<RunConfig> {
  return JSON.parse(await readFile(join(resolve(out), 'config.json'), 'utf8')) as RunConfig;
}

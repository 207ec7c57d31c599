import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { useBestBackend } from '@fmnist/backend';
import { CLASS_NAMES, type ImageSet } from '@fmnist/dataset';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { countTrainableParams } from '@fmnist/model';
import { hasRunCheckpoint, RunProgress } from '@fmnist/training';
import { DataParallelTrainer, fitDataParallel, runCheckpointStore } from '@fmnist/training/node';
import { buildModel, recipeLoss, trainingBatches } from '@fmnist/training/recipes';
import type * as tfl from '@tensorflow/tfjs-layers';
import { batchNormWarning } from './batch-norm-warning.js';
import type { RunConfig } from './config.js';
import { checkSameTeachers, identifyTeachers, teacherTargets } from './distill.js';
import { finishRun, type RunResult } from './finish-run.js';
import { runCallbacks } from './run-callbacks.js';
import { loadRunData } from './run-data.js';
import { makeRunDirectory } from './run-directory.js';

/** Trains and evaluates as `config` says, in `config.out`; with `resume`, continues from its checkpoint. */
export async function runTraining(
  config: RunConfig,
  options: {
    resume: boolean;
    /** Polled after every batch: true saves a checkpoint and returns `interrupted`. */
    stop: () => boolean;
    /** Called as the first batch starts, when a stop can first be honoured with a checkpoint. */
    onTrainingStart?: () => void;
  },
): Promise<RunResult> {
  const out = resolve(config.out);
  const { recipe } = config;
  await makeRunDirectory(out);
  const { train, validation, test } = await loadRunData(config);
  if (recipe.distill && options.resume && config.teachers)
    await checkSameTeachers(config.teachers, recipe.distill);
  if (!options.resume) {
    if (recipe.distill) config = { ...config, teachers: await identifyTeachers(recipe.distill) };
    await writeFile(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  }
  // Resolved from the app, where tfjs-node is an optional dependency (the backend package only peers it).
  const backend = await useBestBackend(config.backend, { importModule: (specifier) => import(specifier) });
  const model = buildModel(recipe, config.seed);
  const store = runCheckpointStore(out);
  const progress = await RunProgress.start(store, model, {
    seed: config.seed,
    resume: options.resume,
    saveEveryMinutes: config.checkpointMinutes,
  });
  if (progress.resumed) {
    const { name, state, damaged } = progress.resumed;
    if (damaged) console.error(`fmnist-train: ${damaged.message}; trying the checkpoint before it`);
    console.log(
      `resumed from ${store.describe(name)}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`,
    );
  }
  // Before the workers start, so the teachers have both cores.
  const targets = recipe.distill ? await teacherTargets(recipe.distill, train, out) : undefined;
  const trainer = await DataParallelTrainer.create(model, {
    workers: config.workers,
    loss: recipeLoss(recipe),
  });
  console.log(
    `model: ${model.countParams()} parameters (${countTrainableParams(model)} trainable); recipe ${recipe.name}; ${trainer.threads} thread(s) on ${backend.name}; ` +
      `${recipe.epochs} epochs of ${train.count} images, batch ${recipe.batchSize}`,
  );
  const stepsPerEpoch = Math.ceil(train.count / recipe.batchSize);
  const shortRun = batchNormWarning(model, stepsPerEpoch * recipe.epochs);
  if (shortRun) console.error(shortRun);
  const { callbacks, applyAverage } = await runCallbacks({
    config,
    out,
    train,
    validation,
    stepsPerEpoch,
    progress,
    resume: options.resume,
  });
  try {
    const { state } = progress;
    options.onTrainingStart?.();
    const result = await fitDataParallel(trainer, {
      epochs: recipe.epochs,
      initialEpoch: state.epoch,
      initialBatch: state.batchInEpoch,
      totals: progress.totals,
      stepsPerEpoch,
      batches: trainingBatches({ train, recipe, seed: config.seed, state: () => progress.state, targets }),
      callbacks,
      validate: validation ? () => validationLogs(model, validation) : undefined,
      shouldStop: options.stop,
      // Dropout masks from the run's seed: the same flags, seed and worker count train the same weights.
      seed: config.seed,
    });
    if (result.interrupted) {
      await progress.save();
      return { testAccuracy: Number.NaN, interrupted: true };
    }
    applyAverage();
    return await finishRun({
      out,
      config,
      model,
      test,
      state: progress.state,
      backend: backend.name,
      threads: trainer.threads,
      resumed: options.resume,
    });
  } finally {
    await trainer.dispose();
  }
}

async function validationLogs(model: tfl.LayersModel, validation: ImageSet) {
  const { report } = await evaluateClassifier(model, validation, validation.labels, {
    classNames: CLASS_NAMES,
  });
  return { val_loss: report.logLoss!, val_acc: report.accuracy };
}

/** Whether run directory `out` has a checkpoint to resume from. */
export function hasCheckpoint(out: string): Promise<boolean> {
  return hasRunCheckpoint(runCheckpointStore(resolve(out)));
}

export async function readSavedConfig(out: string): Promise<RunConfig> {
  return JSON.parse(await readFile(join(resolve(out), 'config.json'), 'utf8')) as RunConfig;
}

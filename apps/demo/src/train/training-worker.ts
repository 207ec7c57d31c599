// The training run, off the page's thread: the page only draws what this worker reports, so training
// never blocks it. This worker is the trainer's own thread; `settings.workers - 1` more compute gradients.
import '@tensorflow/tfjs-backend-cpu';
import { createAugmenter } from '@fmnist/augment';
import { terminateOnNaN } from '@fmnist/callbacks';
import { CLASS_NAMES } from '@fmnist/dataset';
import { evaluateClassifier } from '@fmnist/eval/tfjs';
import { indexedDbCheckpointStore } from '@fmnist/io';
import type { Recipe } from '@fmnist/model';
import { RunProgress } from '@fmnist/training';
import { DataParallelTrainer, fitDataParallel } from '@fmnist/training/browser';
import { buildAugmentation, recipeCallbacks, recipeLoss, trainingBatches } from '@fmnist/training/recipes';
import type * as tfl from '@tensorflow/tfjs-layers';
import { startWasmBackend } from '../wasm-backend.js';
import { runRecipe } from './demo-recipes.js';
import probeUrl from './memory-probe.ts?worker&url';
import { MemorySampler } from './memory-sampler.js';
import { modelArtifacts } from './model-artifacts.js';
import { PageReporter } from './page-reporter.js';
import type { FromTrainingWorker, RunSettings, ToTrainingWorker } from './protocol.js';
import { quotaGuardedStore } from './quota-guarded-store.js';
import { IMAGE_SHAPE, toImageSet, toTrainingBatch } from './run-data.js';
import { runModel } from './run-model.js';
import { withRunSettings } from './run-settings-store.js';
import { RUN_STORE } from './run-store.js';
import { weightsHash } from './weights-hash.js';

type Start = Extract<ToTrainingWorker, { type: 'start' }>;

/** Batches between two memory samples (each epoch end is sampled too). */
const MEMORY_SAMPLE_BATCHES = 10;

const post = (message: FromTrainingWorker, transfer: Transferable[] = []) =>
  (self as unknown as Worker).postMessage(message, transfer);

let reporter: PageReporter | undefined;
let stopRequested = false;

self.addEventListener('message', (event: MessageEvent<ToTrainingWorker>) => {
  const message = event.data;
  if (message.type === 'start')
    train(message).catch((error: unknown) =>
      post({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  else if (message.type === 'pause') reporter?.pause();
  else if (message.type === 'continue') reporter?.resume();
  else if (message.type === 'stop') {
    stopRequested = true;
    reporter?.resume();
  }
});

/** What a run is made of once started: its model, recipe, trainer, progress and images. */
interface Run {
  start: Start;
  model: tfl.LayersModel;
  recipe: Recipe;
  trainer: DataParallelTrainer;
  progress: RunProgress;
  train: ReturnType<typeof toImageSet>;
  steps: number;
}

async function train(start: Start): Promise<void> {
  const run = await startRun(start);
  try {
    await fitRun(run);
  } finally {
    await run.trainer.dispose();
  }
}

/**
 * The run's checkpoints: IndexedDB, each with the run's settings, guarded against a full disk, each write
 * told to the page.
 */
function runStore(settings: RunSettings, progress: () => RunProgress | undefined) {
  return quotaGuardedStore(withRunSettings(indexedDbCheckpointStore(RUN_STORE), settings), {
    onQuota: () =>
      post({
        type: 'warning',
        message: 'The browser refused more storage: training goes on without checkpoints',
      }),
    onWrite: () => {
      const state = progress()?.state;
      if (state) post({ type: 'checkpoint', epoch: state.epoch, batch: state.batchInEpoch });
    },
  });
}

/** Backend, model, checkpoints (a new run clears the old ones; a resume loads the newest) and workers. */
async function startRun(start: Start): Promise<Run> {
  const { settings } = start;
  const backend = await startWasmBackend(start.wasmUrl);
  const recipe = runRecipe(settings);
  const model = await runModel(settings.recipe, settings.seed, start.shippedModelUrl);
  let progress: RunProgress | undefined;
  const store = runStore(settings, () => progress);
  if (!start.resume) for (const name of await store.list()) await store.remove(name);
  progress = await RunProgress.start(store, model, {
    seed: settings.seed,
    resume: start.resume,
    saveEveryMinutes: settings.checkpointSeconds / 60,
  });
  const trainer = await DataParallelTrainer.create(model, {
    workers: settings.workers,
    loss: recipeLoss(recipe),
    wasmPaths: start.wasmUrl,
    // Each gradient worker answers the memory sampler's queries (see memory-channel.ts).
    setupModules: [new URL(probeUrl, self.location.href).href],
  });
  const { epoch, batchInEpoch } = progress.state;
  post({
    type: 'status',
    message: `${progress.resumed ? `Resumed at epoch ${epoch + 1}, batch ${batchInEpoch}` : 'Training'}: ${describeTrainer(trainer)} on ${backend.name}`,
  });
  post({ type: 'started', ...(progress.resumed ? { resumedFrom: { epoch, batch: batchInEpoch } } : {}) });
  const train = toImageSet(start.train);
  return { start, model, recipe, trainer, progress, train, steps: Math.ceil(train.count / recipe.batchSize) };
}

/** `fitDataParallel` with the recipe's callbacks, the checkpoints and the page's reports; then the end. */
async function fitRun({ start, model, recipe, trainer, progress, train, steps }: Run): Promise<void> {
  const { seed } = start.settings;
  sendSamples(train, recipe, seed);
  const recipeRun = await recipeCallbacks(recipe, { stepsPerEpoch: steps, validation: true, progress });
  progress.restoreCallbackStates();
  reporter = new PageReporter(
    { epochs: recipe.epochs, steps },
    {
      batch: (batchProgress) => post({ type: 'batch', progress: batchProgress }),
      epoch: (epoch, logs) => post({ type: 'epoch', epoch, logs }),
    },
  );
  const sampler = new MemorySampler(MEMORY_SAMPLE_BATCHES, trainer.info().workers.length, (sample) =>
    post({ type: 'memory', sample }),
  );
  const { state } = progress;
  const result = await fitDataParallel(trainer, {
    epochs: recipe.epochs,
    initialEpoch: state.epoch,
    initialBatch: state.batchInEpoch,
    totals: progress.totals,
    stepsPerEpoch: steps,
    batches: trainingBatches({ train, recipe, seed, state: () => progress.state }),
    validationData: toTrainingBatch(start.validation),
    // The run's checkpoints record the batch a pause or stop follows: the reporter comes last.
    callbacks: [...recipeRun.callbacks, terminateOnNaN(), progress, sampler, reporter],
    shouldStop: () => stopRequested,
    // Dropout masks from the run's seed: a resumed run trains exactly as an unbroken one.
    seed,
  });
  if (result.interrupted) {
    await progress.save();
    post({ type: 'done', interrupted: true, weightsHash: await weightsHash(model) });
    return;
  }
  recipeRun.applyAverage();
  await finish(model, start);
}

/** How many workers compute gradients, over what, with which build of our conv kernels. */
function describeTrainer(trainer: DataParallelTrainer): string {
  const { threads, transport, kernelBuild } = trainer.info();
  return `${threads} gradient thread(s) on ${transport}, conv kernels ${kernelBuild ?? 'off'}`;
}

/** Test-set evaluation, the weights' hash and the model itself, to the page. */
async function finish(model: tfl.LayersModel, start: Start) {
  post({ type: 'status', message: `Evaluating on ${start.test.count} test images…` });
  const test = toImageSet(start.test);
  const { report } = await evaluateClassifier(model, test, test.labels, { classNames: CLASS_NAMES });
  const artifacts = await modelArtifacts(model);
  post({ type: 'done', interrupted: false, weightsHash: await weightsHash(model), report, artifacts }, [
    artifacts.weightData,
  ]);
}

/** A strip of training images augmented as the recipe augments them (an augmenter of their own). */
function sendSamples(train: ReturnType<typeof toImageSet>, recipe: Recipe, seed: number) {
  const count = Math.min(12, train.count);
  const size = IMAGE_SHAPE.height * IMAGE_SHAPE.width;
  const shape: [number, number, number, number] = [count, IMAGE_SHAPE.height, IMAGE_SHAPE.width, 1];
  const augmented = createAugmenter(buildAugmentation(recipe), { seed })({
    data: train.images.slice(0, count * size),
    shape,
  });
  const images = Uint8Array.from(augmented.data);
  post({ type: 'samples', images, count }, [images.buffer]);
}

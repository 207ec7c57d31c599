import type { ImageSet } from '@fmnist/dataset';
import { selectSamples, takeSamples } from '@fmnist/dataset';
import { indexedDbCheckpointStore } from '@fmnist/io';
import type { Classifier } from '@fmnist/model';
import { memory } from '@tensorflow/tfjs-core';
import { wasmUrl } from '../backend.js';
import { type LoadedDataset, loadDataset } from '../data/load-dataset.js';
import type { DemoState, MemorySample } from '../demo-state.js';
import { drawGreyImages } from '../ui/grey-images.js';
import { Curves } from './curves.js';
import { DEMO_RECIPES, type DemoRecipeName, describeSettings, recipeDefaults } from './demo-recipes.js';
import type { FromTrainingWorker, ImagesMessage, RunSettings } from './protocol.js';
import { interruptedRun, recordRun } from './run-record.js';
import { showRunResult } from './run-result.js';
import { checkpointRunSettings } from './run-settings-store.js';
import { RUN_STORE } from './run-store.js';
import { threadMemory } from './thread-memory.js';
import { TrainingClient } from './training-client.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const number = (id: string) => Number($<HTMLInputElement>(id).value);

/** Training images held out for the per-epoch validation: the last ones, never in a subset (≤ 59,000). */
const VALIDATION = { first: 59_000, count: 1_000 };

/** The Train tab: data, controls, live curves, checkpoints and resume, and the finished model. */
export class TrainTab {
  private data: LoadedDataset | undefined;
  private client: TrainingClient | undefined;
  private readonly curves = new Curves($('batch-chart'), $('epoch-chart'));

  constructor(
    private readonly state: DemoState,
    private readonly use: (classifier: Classifier, description: string) => void,
  ) {
    const recipes = $<HTMLSelectElement>('recipe');
    for (const [name, { label }] of Object.entries(DEMO_RECIPES)) recipes.add(new Option(label, name));
    // Batch size and augmentation start as the chosen recipe's own.
    recipes.addEventListener('change', () => this.showRecipeDefaults());
    this.showRecipeDefaults();
    $<HTMLInputElement>('workers').value = String(Math.max(1, navigator.hardwareConcurrency || 1));
    $('load-data').addEventListener('click', () => this.loadData());
    $('train-start').addEventListener('click', () => this.start(this.settings(), false));
    $('train-resume').addEventListener('click', () => this.resume());
    $('train-pause').addEventListener('click', () => this.togglePause());
    $('train-stop').addEventListener('click', () => this.client?.send({ type: 'stop' }));
    $('train-resume').hidden = !interruptedRun();
  }

  private showRecipeDefaults(): void {
    const { batchSize, augment } = recipeDefaults($<HTMLSelectElement>('recipe').value as DemoRecipeName);
    $<HTMLInputElement>('batch-size').value = String(batchSize);
    $<HTMLInputElement>('augment').checked = augment;
  }

  private settings(): RunSettings {
    return {
      recipe: $<HTMLSelectElement>('recipe').value as DemoRecipeName,
      epochs: number('epochs'),
      subset: number('subset'),
      workers: number('workers'),
      seed: number('seed'),
      batchSize: number('batch-size'),
      augment: $<HTMLInputElement>('augment').checked,
      checkpointSeconds: number('checkpoint-seconds'),
    };
  }

  private async loadData(): Promise<LoadedDataset | undefined> {
    const status = $('data-status');
    status.classList.remove('error');
    this.state.train.phase = 'loading';
    try {
      this.data = await loadDataset($<HTMLInputElement>('data-url').value, (m) => {
        status.textContent = m;
      });
      this.state.train.cachedFiles = this.data.cachedFiles;
      status.textContent = `${this.data.train.count.toLocaleString('en')} training and ${this.data.test.count.toLocaleString('en')} test images, SHA-256 verified (${this.data.cachedFiles === 4 ? 'from your browser, nothing downloaded' : 'downloaded and kept for next time'}).`;
      $<HTMLButtonElement>('train-start').disabled = false;
      this.state.train.phase = 'idle';
      return this.data;
    } catch (error) {
      status.textContent = `The data could not be loaded: ${(error as Error).message}`;
      status.classList.add('error');
      this.state.train.phase = 'failed';
      return undefined;
    }
  }

  /** Continues the interrupted run with the settings its checkpoint holds (the record's if it holds none). */
  private async resume(): Promise<void> {
    const recorded = interruptedRun();
    if (!recorded) return;
    // Busy from the click on: a second click, or a test waiting for the run's end, must not see the last one's.
    this.state.train.phase = 'loading';
    $('train-resume').hidden = true;
    // A checkpoint the browser cannot read now is RunProgress's to report: the record's settings start it.
    const fromCheckpoint = await checkpointRunSettings(indexedDbCheckpointStore(RUN_STORE)).catch(
      () => undefined,
    );
    const settings = fromCheckpoint ?? recorded;
    if (!(this.data ?? (await this.loadData()))) return;
    this.start(settings, true);
  }

  private start(settings: RunSettings, resume: boolean): void {
    const data = this.data;
    if (!data) return;
    this.client?.terminate();
    recordRun(settings);
    this.curves.clear(settings.epochs);
    $('train-result').hidden = true;
    $('train-resume').hidden = true;
    this.setRunning(true);
    Object.assign(this.state.train, {
      phase: 'training',
      batches: 0,
      checkpoints: 0,
      resumedFrom: undefined,
      warnings: [],
      memory: [],
      times: { start: performance.now() },
    });
    $('train-warning').textContent = '';
    $('train-memory').textContent = '';
    $('train-run').textContent = `Run: ${describeSettings(settings, settings.subset)}.`;
    this.state.longTasks.reset();
    const train = takeSamples(data.train, settings.subset);
    const validation = selectSamples(
      data.train,
      Array.from({ length: VALIDATION.count }, (_, i) => VALIDATION.first + i),
    );
    const test = takeSamples(data.test, number('test-count'));
    const parts = [train, validation, test].map(toMessage);
    this.client = new TrainingClient((message) => this.onMessage(message));
    this.client.send(
      {
        type: 'start',
        settings,
        resume,
        train: parts[0]!,
        validation: parts[1]!,
        test: parts[2]!,
        wasmUrl: wasmUrl(),
        shippedModelUrl: new URL('./model/model.json', document.baseURI).href,
      },
      parts.flatMap((p) => [p.images.buffer, p.labels.buffer]),
    );
    $('train-status').textContent = resume ? 'Resuming…' : 'Starting…';
  }

  private togglePause(): void {
    const paused = this.state.train.phase === 'paused';
    this.client?.send({ type: paused ? 'continue' : 'pause' });
    this.state.train.phase = paused ? 'training' : 'paused';
    $('train-pause').textContent = paused ? 'Pause' : 'Continue';
  }

  private setRunning(running: boolean): void {
    $<HTMLButtonElement>('train-start').disabled = running || !this.data;
    $<HTMLButtonElement>('train-pause').disabled = !running;
    $<HTMLButtonElement>('train-stop').disabled = !running;
    $('train-pause').textContent = 'Pause';
  }

  private onMessage(message: FromTrainingWorker): void {
    const status = $('train-status');
    const train = this.state.train;
    switch (message.type) {
      case 'status':
        status.textContent = message.message;
        break;
      case 'started':
        train.resumedFrom = message.resumedFrom;
        break;
      case 'warning':
        $('train-warning').textContent = message.message;
        train.warnings.push(message.message);
        break;
      case 'batch': {
        const p = message.progress;
        train.batches++;
        train.times.firstBatch ??= performance.now();
        train.times.lastBatch = performance.now();
        train.imagesPerSecond = p.imagesPerSecond;
        this.curves.addBatch(p);
        $('train-speed').textContent =
          `epoch ${p.epoch + 1}, batch ${p.batch + 1} of ${p.steps}: loss ${p.loss.toFixed(3)}, accuracy ${(100 * p.acc).toFixed(1)}% · ${p.imagesPerSecond.toFixed(0)} images/s · ${formatSeconds(p.secondsLeft)} left`;
        break;
      }
      case 'epoch':
        this.curves.addEpoch(message.epoch, message.logs);
        break;
      case 'memory': {
        const sample = { ...message.sample, page: threadMemory(memory()) };
        train.memory.push(sample);
        $('train-memory').textContent = describeMemory(sample);
        break;
      }
      case 'samples':
        drawGreyImages($('samples'), message.images, message.count);
        break;
      case 'checkpoint':
        train.checkpoints++;
        status.textContent = `Checkpoint saved: epoch ${message.epoch + 1}, batch ${message.batch}.`;
        break;
      case 'done':
        this.finish(message);
        break;
      case 'error':
        train.phase = 'failed';
        this.setRunning(false);
        this.client?.terminate();
        this.client = undefined;
        status.textContent = `Training stopped: ${message.message}.${interruptedRun() ? ' The last checkpoint is kept: "Resume" continues from it.' : ''}`;
        status.classList.add('error');
        $('train-resume').hidden = !interruptedRun();
        break;
    }
  }

  private async finish(message: Extract<FromTrainingWorker, { type: 'done' }>): Promise<void> {
    const train = this.state.train;
    const { count, longest, worst } = this.state.longTasks;
    train.longTasksWhileTraining = { count, longest, worst };
    train.weightsHash = message.weightsHash;
    this.setRunning(false);
    this.client?.terminate();
    this.client = undefined;
    if (message.interrupted || !message.report || !message.artifacts) {
      train.phase = 'stopped';
      $('train-status').textContent = 'Stopped; the checkpoint is kept: "Resume" continues the run.';
      $('train-resume').hidden = false;
      return;
    }
    recordRun(undefined);
    train.testAccuracy = message.report.accuracy;
    await showRunResult(message.report, message.artifacts, this.use);
    $('train-status').textContent = 'Done.';
    train.phase = 'done';
  }
}

/** Copies of a set's images and labels, to transfer to the worker (the page keeps its own). */
function toMessage(set: ImageSet): ImagesMessage {
  return { images: set.images.slice(), labels: set.labels.slice(), count: set.count };
}

function describeMemory({ epoch, batch, page, trainingWorker, gradientWorkers }: MemorySample): string {
  const heap =
    page.heapBytes === undefined
      ? 'heap not measured by this browser'
      : `heap ${(page.heapBytes / 1e6).toFixed(1)} MB`;
  const tensors = gradientWorkers.map((w) => w.numTensors).join(', ') || 'no answer';
  return `Memory after epoch ${epoch + 1}, batch ${batch + 1}: page ${page.numTensors} tensors, ${heap}; training worker ${trainingWorker.numTensors} tensors (${(trainingWorker.numBytes / 1e6).toFixed(1)} MB); gradient workers ${tensors} tensors.`;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

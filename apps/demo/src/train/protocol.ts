import type { ClassificationReport } from '@fmnist/eval';
import type { DemoRecipeName } from './demo-recipes.js';
import type { ThreadMemory } from './thread-memory.js';

/** Images and labels as they cross to the training worker (transferred, not copied). */
export interface ImagesMessage {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** What the Train tab's controls chose. */
export interface RunSettings {
  recipe: DemoRecipeName;
  epochs: number;
  /** Training images (the first ones of the training set). */
  subset: number;
  /** Threads computing gradients, the training worker included. */
  workers: number;
  seed: number;
  /** Images per batch (the recipe's unless changed): a short run takes more steps at a smaller batch. */
  batchSize: number;
  /** Whether the recipe's augmentation runs (the default), or the images are trained on as they are. */
  augment: boolean;
  /** Seconds between checkpoints within an epoch (one is also taken at every epoch end). */
  checkpointSeconds: number;
}

export type ToTrainingWorker =
  | {
      type: 'start';
      settings: RunSettings;
      resume: boolean;
      train: ImagesMessage;
      validation: ImagesMessage;
      test: ImagesMessage;
      /** Absolute URLs: a worker has no document to resolve `./wasm/` against. */
      wasmUrl: string;
      shippedModelUrl: string;
    }
  | { type: 'pause' }
  | { type: 'continue' }
  | { type: 'stop' };

export interface BatchProgress {
  epoch: number;
  batch: number;
  steps: number;
  loss: number;
  acc: number;
  imagesPerSecond: number;
  secondsLeft: number;
}

/** The training threads' memory at a batch's end (every few batches) or an epoch's end. */
export interface WorkerMemorySample {
  epoch: number;
  /** The batch just trained (at an epoch end: the epoch's last). */
  batch: number;
  at: 'batch' | 'epoch';
  trainingWorker: ThreadMemory;
  /** The gradient workers that answered in time (normally all), each in the same place every sample. */
  gradientWorkers: ThreadMemory[];
}

export type FromTrainingWorker =
  | { type: 'status'; message: string }
  /** Training began; on a resume, where the checkpoint left the run. */
  | { type: 'started'; resumedFrom?: { epoch: number; batch: number } }
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; epoch: number; logs: Record<string, number> }
  | { type: 'memory'; sample: WorkerMemorySample }
  /** Augmented training images as the run sees them, `[count, 28, 28]` bytes. */
  | { type: 'samples'; images: Uint8Array; count: number }
  | { type: 'checkpoint'; epoch: number; batch: number }
  | { type: 'warning'; message: string }
  | {
      type: 'done';
      interrupted: boolean;
      weightsHash: string;
      report?: ClassificationReport;
      /** The trained model, `tf.io.ModelArtifacts` minus what cannot be cloned. */
      artifacts?: { modelTopology: object; weightSpecs: object[]; weightData: ArrayBuffer };
    }
  | { type: 'error'; message: string };

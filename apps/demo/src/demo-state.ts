import type { WorkerMemorySample } from './train/protocol.js';
import type { ThreadMemory } from './train/thread-memory.js';
import type { LongTasks } from './ui/long-tasks.js';

/** A training worker's memory sample with the page's own figures, taken as the sample arrived. */
export interface MemorySample extends WorkerMemorySample {
  page: ThreadMemory;
}

/**
 * What the page exposes on `window.fmnistDemo` for its tests and for anyone curious in the console: the
 * long tasks seen, the training run's phase and its final weights' hash.
 */
export interface DemoState {
  longTasks: LongTasks;
  train: {
    phase: 'idle' | 'loading' | 'training' | 'paused' | 'stopped' | 'done' | 'failed';
    /** SHA-256 of the weights when the run last stopped or finished. */
    weightsHash?: string;
    testAccuracy?: number;
    /** Files of the last data load answered from the browser's cache. */
    cachedFiles?: number;
    checkpoints: number;
    /** What went wrong without stopping the run (storage full). */
    warnings: string[];
    /** Where a resumed run's checkpoint left it. */
    resumedFrom?: { epoch: number; batch: number };
    batches: number;
    imagesPerSecond?: number;
    /** The long tasks seen from the run's start to its last batch (before the page shows the result). */
    longTasksWhileTraining?: Pick<LongTasks, 'count' | 'longest' | 'worst'>;
    /**
     * Memory every few batches and at each epoch end: the page's `tf.memory()` and JS heap (where the
     * browser tells it: `heapBytes` absent otherwise), the training worker's and each gradient worker's.
     */
    memory: MemorySample[];
    /** When (`performance.now()`) the run was started, its first batch and last batch were reported. */
    times: { start?: number; firstBatch?: number; lastBatch?: number };
  };
  own: { classes: string[]; trained: boolean };
}

declare global {
  interface Window {
    fmnistDemo: DemoState;
  }
}

export function createDemoState(longTasks: LongTasks): DemoState {
  const state: DemoState = {
    longTasks,
    train: { phase: 'idle', checkpoints: 0, batches: 0, warnings: [], memory: [], times: {} },
    own: { classes: [], trained: false },
  };
  window.fmnistDemo = state;
  return state;
}

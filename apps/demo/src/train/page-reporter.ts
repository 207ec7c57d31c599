import * as tfl from '@tensorflow/tfjs-layers';
import type { BatchProgress } from './protocol.js';

type Logs = Record<string, number>;

/**
 * Tells the page of every batch (loss, accuracy, images/s, time left) and epoch, and holds training
 * between batches while paused. Put it after the run's progress callback, so the state a checkpoint
 * holds during a pause includes the batch before it.
 */
export class PageReporter extends tfl.Callback {
  private paused: { promise: Promise<void>; resume: () => void } | undefined;
  private seconds = 0;
  private images = 0;
  private batchStarted = 0;
  private epochNow = 0;

  constructor(
    private readonly run: { epochs: number; steps: number },
    private readonly send: {
      batch: (progress: BatchProgress) => void;
      epoch: (epoch: number, logs: Logs) => void;
    },
  ) {
    super();
  }

  pause(): void {
    if (this.paused) return;
    let resume = () => {};
    const promise = new Promise<void>((resolve) => {
      resume = resolve;
    });
    this.paused = { promise, resume };
  }

  resume(): void {
    this.paused?.resume();
    this.paused = undefined;
  }

  override async onEpochBegin(epoch: number) {
    this.epochNow = epoch;
  }

  override async onBatchBegin() {
    this.batchStarted = performance.now();
  }

  override async onBatchEnd(batch: number, logs?: Logs) {
    this.seconds += (performance.now() - this.batchStarted) / 1000;
    this.images += logs?.size ?? 0;
    const imagesPerSecond = this.images / this.seconds;
    const { epochs, steps } = this.run;
    const stepsLeft = (epochs - this.epochNow) * steps - (batch + 1);
    const secondsPerStep = this.seconds / Math.max(1, this.images / (logs?.size ?? 1));
    this.send.batch({
      epoch: this.epochNow,
      batch,
      steps,
      loss: logs?.loss ?? Number.NaN,
      acc: logs?.acc ?? Number.NaN,
      imagesPerSecond,
      secondsLeft: stepsLeft * secondsPerStep,
    });
    if (this.paused) await this.paused.promise;
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    this.send.epoch(epoch, { ...logs });
  }
}

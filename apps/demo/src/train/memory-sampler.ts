import { memory } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MemoryQuery } from './memory-channel.js';
import type { WorkerMemorySample } from './protocol.js';
import { threadMemory } from './thread-memory.js';

/** How long the gradient workers get to answer: they are idle between steps, so a few ms is usual. */
const ANSWER_TIMEOUT_MS = 2000;

/**
 * Every `every` batches (the epoch's first included) and at every epoch end, this thread's memory and
 * the gradient workers' (asked over the memory channel while they wait for the next step), to `send`.
 */
export class MemorySampler extends tfl.Callback {
  private readonly query = new MemoryQuery();
  private epochNow = 0;
  private lastBatch = 0;

  constructor(
    private readonly every: number,
    private readonly gradientWorkers: number,
    private readonly send: (sample: WorkerMemorySample) => void,
  ) {
    super();
  }

  override async onEpochBegin(epoch: number) {
    this.epochNow = epoch;
  }

  override async onBatchEnd(batch: number) {
    this.lastBatch = batch;
    if (batch % this.every === 0) await this.sample('batch', batch);
  }

  override async onEpochEnd(epoch: number) {
    this.epochNow = epoch;
    await this.sample('epoch', this.lastBatch);
  }

  override async onTrainEnd() {
    this.query.close();
  }

  private async sample(at: WorkerMemorySample['at'], batch: number): Promise<void> {
    const trainingWorker = threadMemory(memory());
    const gradientWorkers = await this.query.ask(this.gradientWorkers, ANSWER_TIMEOUT_MS);
    this.send({ epoch: this.epochNow, batch, at, trainingWorker, gradientWorkers });
  }
}

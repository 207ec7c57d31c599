import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import type { Logs } from './logs.js';
import { type CosineDecayOptions, cosineDecayLR, type OneCycleOptions, oneCycleLR } from './schedules.js';

/** Keras's LearningRateScheduler: `schedule(epoch, lr)` sets the rate at the start of each epoch. */
export class LearningRateScheduler extends tfl.Callback {
  constructor(private readonly schedule: (epoch: number, lr: number) => number) {
    super();
    if (typeof schedule !== 'function')
      throw new CallbackError('learningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }

  override async onEpochBegin(epoch: number) {
    const optimizer = this.model.optimizer;
    const next = this.schedule(epoch, getLearningRate(optimizer));
    if (!Number.isFinite(next))
      throw new CallbackError(`learningRateScheduler: schedule returned ${next} for epoch ${epoch}`);
    setLearningRate(optimizer, next);
  }

  override async onEpochEnd(_epoch: number, logs?: Logs) {
    if (logs) logs.lr = getLearningRate(this.model.optimizer);
  }
}

export function learningRateScheduler(
  schedule: (epoch: number, lr: number) => number,
): LearningRateScheduler {
  return new LearningRateScheduler(schedule);
}

/** Sets the rate before every batch from a function of the global step (counted across epochs). */
export class StepSchedule extends tfl.Callback {
  /** Batches seen so far; set it (or pass initialStep) to resume a run mid-schedule. */
  step: number;

  constructor(
    private readonly rateAt: (step: number) => number,
    initialStep = 0,
  ) {
    super();
    this.step = initialStep;
  }

  override async onBatchBegin() {
    setLearningRate(this.model.optimizer, this.rateAt(this.step));
  }

  override async onBatchEnd() {
    this.step += 1;
  }

  override async onEpochEnd(_epoch: number, logs?: Logs) {
    if (logs) logs.lr = getLearningRate(this.model.optimizer);
  }
}

/** The one-cycle policy per batch (PyTorch's OneCycleLR, cosine). */
export function oneCycle(options: OneCycleOptions & { initialStep?: number }): StepSchedule {
  oneCycleLR(0, options);
  return new StepSchedule((step) => oneCycleLR(step, options), options.initialStep);
}

/** Cosine decay with optional warmup per batch (Keras's CosineDecay). */
export function cosineDecay(options: CosineDecayOptions & { initialStep?: number }): StepSchedule {
  cosineDecayLR(0, options);
  return new StepSchedule((step) => cosineDecayLR(step, options), options.initialStep);
}

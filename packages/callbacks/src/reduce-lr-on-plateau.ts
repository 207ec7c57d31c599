import * as tfl from '@tensorflow/tfjs-layers';
import { logLine } from './console-line.js';
import { CallbackError } from './errors.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import type { Logs } from './logs.js';
import { type Mode, monitored, resolveLogs, resolveMode, unsetBest } from './monitor.js';
import { type CallbackState, finiteOrNull, type ResumableCallback, stateNumber } from './resumable.js';

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  /** New rate = rate * factor; must be < 1. */
  factor?: number;
  /** Epochs without improvement before reducing. */
  patience?: number;
  mode?: Mode;
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. */
  cooldown?: number;
  minLR?: number;
  verbose?: number;
}

// Keras's defaults (keras/callbacks.py, ReduceLROnPlateau).
const DEFAULTS = {
  monitor: 'val_loss',
  factor: 0.1,
  patience: 10,
  mode: 'auto',
  minDelta: 1e-4,
  cooldown: 0,
  minLR: 0,
} as const;

/**
 * Keras's ReduceLROnPlateau: the same wait counting, cooldown and floor, for any tfjs optimizer. Its
 * counters can be saved with a checkpoint (`getState`/`setState`).
 */
export class ReduceLROnPlateau extends tfl.Callback implements ResumableCallback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLR: number;
  readonly verbose: number;
  private readonly higherIsBetter: boolean;
  best = 0;
  wait = 0;
  cooldownCounter = 0;
  private restored = false;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? DEFAULTS.monitor;
    this.factor = args.factor ?? DEFAULTS.factor;
    this.patience = args.patience ?? DEFAULTS.patience;
    this.minDelta = args.minDelta ?? DEFAULTS.minDelta;
    this.cooldown = args.cooldown ?? DEFAULTS.cooldown;
    this.minLR = args.minLR ?? DEFAULTS.minLR;
    this.verbose = args.verbose ?? 0;
    if (!(this.factor < 1 && this.factor >= 0))
      throw new CallbackError(`reduceLROnPlateau: factor must be in [0, 1), got ${this.factor}`);
    for (const [name, value] of Object.entries({ patience: this.patience, cooldown: this.cooldown })) {
      if (!Number.isInteger(value) || value < 0)
        throw new CallbackError(`reduceLROnPlateau: ${name} must be an integer ≥ 0, got ${value}`);
    }
    this.higherIsBetter = resolveMode(args.mode ?? DEFAULTS.mode, this.monitor, 'reduceLROnPlateau');
    this.reset();
  }

  private reset() {
    this.best = unsetBest(this.higherIsBetter);
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  private improved(current: number) {
    return this.higherIsBetter ? current > this.best + this.minDelta : current < this.best - this.minDelta;
  }

  getState(): CallbackState {
    return { best: finiteOrNull(this.best), wait: this.wait, cooldownCounter: this.cooldownCounter };
  }

  setState(state: CallbackState): void {
    this.reset();
    const owner = 'reduceLROnPlateau';
    this.best = stateNumber(owner, state, 'best', this.best);
    this.wait = stateNumber(owner, state, 'wait', 0, { integer: true });
    this.cooldownCounter = stateNumber(owner, state, 'cooldownCounter', 0, { integer: true });
    this.restored = true;
  }

  override async onTrainBegin() {
    if (this.restored) this.restored = false;
    else this.reset();
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    const optimizer = this.model.optimizer;
    const current = monitored(await resolveLogs(logs), this.monitor);
    if (logs) logs.lr = getLearningRate(optimizer);
    if (current === undefined) {
      logLine(
        `reduceLROnPlateau: '${this.monitor}' is not in the logs (${Object.keys(logs ?? {}).join(', ')})`,
        'warn',
      );
      return;
    }
    const inCooldown = this.cooldownCounter > 0;
    if (inCooldown) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
    } else if (!inCooldown) {
      this.wait += 1;
      if (this.wait >= this.patience) {
        const old = getLearningRate(optimizer);
        if (old > Math.fround(this.minLR)) {
          const next = Math.max(old * this.factor, this.minLR);
          setLearningRate(optimizer, next);
          if (this.verbose > 0)
            logLine(
              `Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next.toPrecision(4)}.`,
            );
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

export function reduceLROnPlateau(args?: ReduceLROnPlateauArgs): ReduceLROnPlateau {
  return new ReduceLROnPlateau(args);
}

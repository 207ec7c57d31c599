import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type CheckpointStore, saveCheckpoint } from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { checkpointStep } from './checkpoint-step.js';
import { formatValue, logLine } from './console-line.js';
import { CallbackError } from './errors.js';
import type { Logs } from './logs.js';
import { type Mode, monitored, resolveLogs, resolveMode, unsetBest } from './monitor.js';
import { formatPath } from './path-template.js';
import { type CallbackState, finiteOrNull, type ResumableCallback, stateNumber } from './resumable.js';

export interface ModelCheckpointArgs {
  /**
   * Directory per save; may hold `{epoch}` and metric names, e.g. `ckpt/epoch-{epoch:03d}-{val_loss:.3f}`.
   * With `store`, the checkpoint's name in it instead (a template too, without `/`).
   */
  path: string;
  /** Where to save instead of folders: any `@fmnist/io` `CheckpointStore` (e.g. `memoryCheckpointStore()`). */
  store?: CheckpointStore;
  monitor?: string;
  mode?: Mode;
  /** Save only when the monitored value improves. */
  saveBestOnly?: boolean;
  /** Leave out the optimizer state (smaller; training cannot resume exactly). */
  saveWeightsOnly?: boolean;
  /** 'epoch', or a number of batches between saves. */
  saveFreq?: 'epoch' | number;
  verbose?: number;
}

/**
 * Keras's ModelCheckpoint for tfjs in Node, saving with `@fmnist/io`'s checkpoints: atomic saves (a crash mid-save never leaves a broken
 * checkpoint), optimizer state included so training can resume exactly, and an unwritable path reported
 * when training begins rather than at the first save.
 */
export class ModelCheckpoint extends tfl.Callback implements ResumableCallback {
  readonly path: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly verbose: number;
  private readonly store: CheckpointStore | undefined;
  private readonly higherIsBetter: boolean;
  best: number;
  private batchesSinceSave = 0;
  private epoch = 0;
  /** Paths written so far, in order (with `store`, the checkpoints' names). */
  readonly saved: string[] = [];

  constructor(args: ModelCheckpointArgs) {
    super();
    if (!args?.path) throw new CallbackError('modelCheckpoint: the path option is required');
    this.path = args.path;
    this.monitor = args.monitor ?? 'val_loss';
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    this.saveFreq = args.saveFreq ?? 'epoch';
    this.verbose = args.verbose ?? 0;
    this.store = args.store;
    if (this.saveFreq !== 'epoch' && (!Number.isInteger(this.saveFreq) || this.saveFreq < 1)) {
      throw new CallbackError(
        `modelCheckpoint: saveFreq must be 'epoch' or a positive integer, got ${String(this.saveFreq)}`,
      );
    }
    this.higherIsBetter = resolveMode(args.mode ?? 'auto', this.monitor, 'modelCheckpoint');
    this.best = unsetBest(this.higherIsBetter);
  }

  /** The best monitored value so far, so a resumed run only replaces a better checkpoint. */
  getState(): CallbackState {
    return { best: finiteOrNull(this.best) };
  }

  setState(state: CallbackState): void {
    this.best = stateNumber('modelCheckpoint', state, 'best', unsetBest(this.higherIsBetter));
  }

  /** Fails now, naming the path, if checkpoints could not be written there (a given store is trusted). */
  override async onTrainBegin() {
    if (this.store) return;
    const probeDir = dirname(this.path.replace(/\{.*$/, 'x'));
    const probe = join(probeDir, `.fmnist-write-test-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(probeDir, { recursive: true });
      await writeFile(probe, '');
      await rm(probe, { force: true });
    } catch (error) {
      throw new CallbackError(`modelCheckpoint: cannot write checkpoints under ${probeDir}`, {
        cause: error,
      });
    }
  }

  override async onEpochBegin(epoch: number) {
    this.epoch = epoch;
  }

  override async onBatchEnd(_batch: number, logs?: Logs) {
    if (this.saveFreq === 'epoch') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.maybeSave(this.epoch, logs);
    }
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    if (this.saveFreq === 'epoch') await this.maybeSave(epoch, logs);
  }

  private async maybeSave(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    const values: Record<string, number> = { epoch: epoch + 1 };
    for (const [key, value] of Object.entries(logs ?? {})) if (typeof value === 'number') values[key] = value;
    if (this.saveBestOnly) {
      const current = monitored(logs, this.monitor);
      if (current === undefined) {
        logLine(
          `modelCheckpoint: can save best model only with '${this.monitor}' available, skipping`,
          'warn',
        );
        return;
      }
      const better = this.higherIsBetter ? current > this.best : current < this.best;
      if (!better) return;
      if (this.verbose > 0) {
        const to = formatPath(this.path, values);
        logLine(
          `Epoch ${epoch + 1}: ${this.monitor} improved from ${formatValue(this.best)} to ${formatValue(current)}, saving model to ${to}`,
        );
      }
      this.best = current;
    }
    const path = formatPath(this.path, values);
    const [store, name] = this.store
      ? [this.store, path]
      : [fileSystemCheckpointStore(dirname(path)), basename(path)];
    await checkpointStep(() =>
      saveCheckpoint(store, name, this.model, {
        includeOptimizer: !this.saveWeightsOnly,
        state: { epoch: epoch + 1, logs: values },
      }),
    );
    this.saved.push(path);
  }
}

export function modelCheckpoint(args: ModelCheckpointArgs): ModelCheckpoint {
  return new ModelCheckpoint(args);
}

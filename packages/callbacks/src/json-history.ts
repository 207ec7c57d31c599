import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import { fileStep } from './file-step.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';
import { firstEpochOf } from './resumed-epochs.js';

export interface JsonHistoryArgs {
  path: string;
  /**
   * Keep an existing file's epochs before the run's first one (a run resumed at epoch k keeps 0…k-1;
   * a run from epoch 0 starts afresh); its epochs k and later, written after the checkpoint the run
   * resumed from, are replaced. Default true; false always starts a new file.
   */
  append?: boolean;
}

/**
 * Writes every epoch's logs as one JSON document, atomically: `{ "epoch": [...], "history": { key: [...] } }`,
 * each list as long as `epoch`, null where that epoch had no (finite) value for the key.
 */
export class JsonHistory extends tfl.Callback {
  readonly epochs: number[] = [];
  readonly history: Record<string, (number | null)[]> = {};

  constructor(private readonly args: JsonHistoryArgs) {
    super();
    if (!args?.path) throw new CallbackError('jsonHistory: the path option is required');
  }

  override async onTrainBegin() {
    this.epochs.length = 0;
    for (const key of Object.keys(this.history)) delete this.history[key];
    if ((this.args.append ?? true) && existsSync(this.args.path)) await this.load();
    const first = firstEpochOf(this.params);
    if (first !== undefined) this.dropFrom(first);
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    // fitDataset does not tell callbacks its initialEpoch: the first epoch it ends shows it.
    this.dropFrom(epoch);
    const count = this.epochs.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      const list = this.history[key] ?? Array<null>(count - 1).fill(null);
      this.history[key] = list;
      list.push(Number.isFinite(value) ? value : null);
    }
    for (const list of Object.values(this.history)) if (list.length < count) list.push(null);
    const text = JSON.stringify({ epoch: this.epochs, history: this.history }, null, 2);
    await fileStep(`jsonHistory: cannot write ${this.args.path}`, () =>
      writeFileAtomic(this.args.path, text),
    );
  }

  private dropFrom(first: number) {
    const keep = this.epochs.findIndex((epoch) => epoch >= first);
    if (keep === -1) return;
    this.epochs.length = keep;
    for (const list of Object.values(this.history)) list.length = keep;
  }

  private async load() {
    const { path } = this.args;
    const text = await fileStep(`jsonHistory: cannot read ${path}`, () => readFile(path, 'utf8'));
    let saved: { epoch?: unknown; history?: Record<string, unknown> };
    try {
      saved = JSON.parse(text);
    } catch (error) {
      throw new CallbackError(`jsonHistory: ${path} is not JSON (append: false starts a new file)`, {
        cause: error,
      });
    }
    const epochs = saved.epoch;
    if (!Array.isArray(epochs) || !epochs.every((e) => Number.isInteger(e)))
      throw new CallbackError(`jsonHistory: ${path} has no list of epochs (append: false starts a new file)`);
    for (const [key, list] of Object.entries(saved.history ?? {})) {
      if (!Array.isArray(list) || list.length !== epochs.length)
        throw new CallbackError(
          `jsonHistory: ${path}: history.${key} must hold one value per epoch (${epochs.length}), got ${Array.isArray(list) ? list.length : typeof list} (append: false starts a new file)`,
        );
      this.history[key] = list.map((v) => (typeof v === 'number' ? v : null));
    }
    this.epochs.push(...(epochs as number[]));
  }
}

export function jsonHistory(args: JsonHistoryArgs): JsonHistory {
  return new JsonHistory(args);
}

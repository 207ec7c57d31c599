import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import { fileStep } from './file-step.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';
import { firstEpochOf } from './resumed-epochs.js';

export interface CsvLoggerArgs {
  path: string;
  /**
   * Continue an existing file (a resumed run): keep its header and its rows of the epochs before the
   * run's first one; rows of that epoch or later (written after the checkpoint the run resumed from)
   * are dropped, so no epoch appears twice. Default false: start a new file, as Keras does.
   */
  append?: boolean;
  separator?: string;
}

/**
 * Keras's CSVLogger: one row per epoch, `epoch` (0-based, as Keras writes it) then the log keys in sorted
 * order. The header is fixed by the first row; appending to a file reuses its header.
 */
export class CsvLogger extends tfl.Callback {
  private columns: string[] | undefined;
  /** The largest epoch in the file, to know when a row must replace later ones. */
  private lastEpoch = Number.NEGATIVE_INFINITY;

  constructor(private readonly args: CsvLoggerArgs) {
    super();
    if (!args?.path) throw new CallbackError('csvLogger: the path option is required');
  }

  override async onTrainBegin() {
    const { path } = this.args;
    this.columns = undefined;
    this.lastEpoch = Number.NEGATIVE_INFINITY;
    if (this.args.append && existsSync(path)) {
      const lines = await this.lines();
      const separator = this.args.separator ?? ',';
      this.columns = lines[0] ? lines[0].split(separator).slice(1) : undefined;
      this.lastEpoch = Math.max(this.lastEpoch, ...lines.slice(1).map((line) => this.epochOf(line)));
      const first = firstEpochOf(this.params);
      if (first !== undefined) await this.dropFrom(first);
    } else {
      await fileStep(`csvLogger: cannot create ${path}`, async () => {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, '');
      });
    }
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    const separator = this.args.separator ?? ',';
    // fitDataset does not tell callbacks its initialEpoch: the first epoch it ends shows it.
    await this.dropFrom(epoch);
    let lines = '';
    if (!this.columns) {
      this.columns = Object.keys(logs ?? {}).sort();
      lines += `${['epoch', ...this.columns].join(separator)}\n`;
    }
    const cells = this.columns.map((key) => (logs?.[key] === undefined ? '' : String(logs[key])));
    lines += `${[String(epoch), ...cells].join(separator)}\n`;
    await fileStep(`csvLogger: cannot append epoch ${epoch} to ${this.args.path}`, () =>
      appendFile(this.args.path, lines),
    );
    this.lastEpoch = epoch;
  }

  private async lines(): Promise<string[]> {
    const { path } = this.args;
    const text = await fileStep(`csvLogger: cannot read ${path}`, () => readFile(path, 'utf8'));
    return text.split('\n').filter((line) => line !== '');
  }

  /** The epoch a row holds; a row whose first cell is not a number counts as before every epoch. */
  private epochOf(row: string): number {
    const epoch = Number(row.split(this.args.separator ?? ',')[0]);
    return Number.isFinite(epoch) ? epoch : Number.NEGATIVE_INFINITY;
  }

  /** Rewrites the file without its rows of epoch `first` or later, if it has any. */
  private async dropFrom(first: number) {
    if (this.lastEpoch < first) return;
    const [header, ...rows] = await this.lines();
    const kept = rows.filter((row) => this.epochOf(row) < first);
    const text = [header, ...kept].map((line) => `${line}\n`).join('');
    await fileStep(`csvLogger: cannot rewrite ${this.args.path} without the epochs from ${first}`, () =>
      writeFileAtomic(this.args.path, text),
    );
    this.lastEpoch = Math.max(Number.NEGATIVE_INFINITY, ...kept.map((row) => this.epochOf(row)));
  }
}

export function csvLogger(args: CsvLoggerArgs): CsvLogger {
  return new CsvLogger(args);
}

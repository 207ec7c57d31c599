import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';

export interface CsvLoggerArgs {
  path: string;
  /** Continue an existing file (a resumed run) without writing a second header. Default false. */
  append?: boolean;
  separator?: string;
}

/**
 * Keras's CSVLogger: one row per epoch, `epoch` (0-based, as Keras writes it) then the log keys in sorted
 * order. The header is fixed by the first row; appending to a file reuses its header.
 */
export class CsvLogger extends tfl.Callback {
  private columns: string[] | undefined;

  constructor(private readonly args: CsvLoggerArgs) {
    super();
    if (!args?.path) throw new CallbackError('csvLogger: the path option is required');
  }

  override async onTrainBegin() {
    await mkdir(dirname(this.args.path), { recursive: true });
    const separator = this.args.separator ?? ',';
    if (this.args.append && existsSync(this.args.path)) {
      const header = readFileSync(this.args.path, 'utf8').split('\n')[0];
      this.columns = header ? header.split(separator).slice(1) : undefined;
    } else {
      this.columns = undefined;
      await writeFile(this.args.path, '');
    }
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    const separator = this.args.separator ?? ',';
    if (!this.columns) {
      this.columns = Object.keys(logs ?? {}).sort();
      await appendFile(this.args.path, `${['epoch', ...this.columns].join(separator)}\n`);
    }
    const cells = this.columns.map((key) => (logs?.[key] === undefined ? '' : String(logs[key])));
    await appendFile(this.args.path, `${[String(epoch), ...cells].join(separator)}\n`);
  }
}

export function csvLogger(args: CsvLoggerArgs): CsvLogger {
  return new CsvLogger(args);
}

/** Writes every epoch's logs as one JSON document (`{ "epoch": [...], "history": { key: [...] } }`), atomically. */
export class JsonHistory extends tfl.Callback {
  readonly epochs: number[] = [];
  readonly history: Record<string, number[]> = {};

  constructor(private readonly args: { path: string }) {
    super();
    if (!args?.path) throw new CallbackError('jsonHistory: the path option is required');
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    this.epochs.push(epoch);
    for (const [key, value] of Object.entries(logs ?? {})) {
      if (typeof value !== 'number') continue;
      this.history[key] = [...(this.history[key] ?? []), value];
    }
    await writeFileAtomic(
      this.args.path,
      JSON.stringify({ epoch: this.epochs, history: this.history }, null, 2),
    );
  }
}

export function jsonHistory(args: { path: string }): JsonHistory {
  return new JsonHistory(args);
}

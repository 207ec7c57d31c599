import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@fmnist/io/node';
import * as tfl from '@tensorflow/tfjs-layers';
import { CallbackError } from './errors.js';
import { fileStep } from './file-step.js';
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
    const { path } = this.args;
    const separator = this.args.separator ?? ',';
    if (this.args.append && existsSync(path)) {
      const header = (await fileStep(`csvLogger: cannot read ${path}`, () => readFile(path, 'utf8'))).split(
        '\n',
      )[0];
      this.columns = header ? header.split(separator).slice(1) : undefined;
    } else {
      this.columns = undefined;
      await fileStep(`csvLogger: cannot create ${path}`, async () => {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, '');
      });
    }
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    const separator = this.args.separator ?? ',';
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
    const text = JSON.stringify({ epoch: this.epochs, history: this.history }, null, 2);
    await fileStep(`jsonHistory: cannot write ${this.args.path}`, () =>
      writeFileAtomic(this.args.path, text),
    );
  }
}

export function jsonHistory(args: { path: string }): JsonHistory {
  return new JsonHistory(args);
}

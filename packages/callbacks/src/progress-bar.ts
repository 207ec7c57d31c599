import * as tfl from '@tensorflow/tfjs-layers';
import { setOpenLine } from './console-line.js';
import type { Logs } from './logs.js';
import { resolveLogs } from './monitor.js';

export interface ProgressBarArgs {
  /** Where to write. Default process.stdout in Node; in browsers, the console (one line per epoch). */
  stream?: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean };
  /** Bar width in characters. Default 24. */
  width?: number;
}

const metricText = (logs: Logs | undefined) =>
  Object.entries(logs ?? {})
    .filter(([key, value]) => typeof value === 'number' && key !== 'batch' && key !== 'size')
    .map(
      ([key, value]) =>
        `${key} ${Math.abs(value as number) < 1e-3 && value !== 0 ? (value as number).toExponential(2) : (value as number).toFixed(4)}`,
    )
    .join(' ');

/**
 * A progress display: in a terminal, a live bar per epoch with ETA, images/s and running metrics; otherwise
 * one line per epoch, so CI logs stay readable.
 */
export class ProgressBar extends tfl.Callback {
  private readonly stream: NonNullable<ProgressBarArgs['stream']>;
  private readonly width: number;
  private epochStart = 0;
  private seen = 0;
  private lastDraw = 0;
  private epoch = 0;

  constructor(args: ProgressBarArgs = {}) {
    super();
    this.stream =
      args.stream ??
      (typeof process !== 'undefined' && process.stdout
        ? process.stdout
        : { write: (text: string) => console.log(text.replace(/\n$/, '')), isTTY: false });
    this.width = args.width ?? 24;
  }

  private get tty() {
    return Boolean(this.stream.isTTY);
  }

  override async onEpochBegin(epoch: number) {
    this.epoch = epoch;
    this.epochStart = performance.now();
    this.seen = 0;
  }

  override async onBatchEnd(batch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    this.seen += typeof logs?.size === 'number' ? logs.size : 0;
    if (!this.tty) return;
    const now = performance.now();
    const steps =
      (this.params?.steps as number | undefined) ??
      Math.ceil(((this.params?.samples as number) ?? 0) / ((this.params?.batchSize as number) ?? 1));
    if (now - this.lastDraw < 100 && batch + 1 < steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const done = batch + 1;
    const eta = steps > 0 ? (elapsed / done) * (steps - done) : 0;
    const filled = steps > 0 ? Math.round((this.width * done) / steps) : 0;
    const rate = elapsed > 0 ? this.seen / elapsed : 0;
    this.stream.write(
      `\rEpoch ${this.epoch + 1}/${this.params?.epochs ?? '?'} [${'='.repeat(filled)}${' '.repeat(Math.max(0, this.width - filled))}] ${done}/${steps || '?'} ETA ${eta.toFixed(0)}s ${rate.toFixed(0)} img/s ${metricText(logs)}`,
    );
    setOpenLine(this.stream);
  }

  override async onEpochEnd(epoch: number, unresolved?: Logs) {
    const logs = await resolveLogs(unresolved);
    const seconds = (performance.now() - this.epochStart) / 1000;
    const rate = seconds > 0 && this.seen > 0 ? ` ${(this.seen / seconds).toFixed(0)} img/s` : '';
    const line = `Epoch ${epoch + 1}/${this.params?.epochs ?? '?'} ${seconds.toFixed(1)}s${rate} ${metricText(logs)}`;
    this.stream.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    setOpenLine(undefined);
  }
}

export function progressBar(args?: ProgressBarArgs): ProgressBar {
  return new ProgressBar(args);
}

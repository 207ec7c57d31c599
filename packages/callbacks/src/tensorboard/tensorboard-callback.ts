import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { encode } from 'fast-png';
import { CallbackError } from '../errors.js';
import { getLearningRate } from '../learning-rate.js';
import type { Logs } from '../logs.js';
import { resolveLogs } from '../monitor.js';
import { type CallbackState, type ResumableCallback, stateNumber } from '../resumable.js';
import { dropEvents } from './drop-events.js';
import { EventFileWriter } from './event-file.js';
import { histogramOf, type SummaryValue, type TensorBoardEvent } from './events.js';

/** Images to show in TensorBoard's Images tab, written once when training begins. */
export interface TensorBoardImages {
  /** Pixels `[n, height, width, channels]`, row-major: bytes 0–255 or floats 0–1. */
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  shape: [number, number, number, number];
  /** At most this many of them (default 3). */
  maxImages?: number;
  /** Tag prefix (default `samples`): the images are `samples/0`, `samples/1`, … */
  tag?: string;
}

export interface TensorBoardArgs {
  /**
   * `'epoch'` (default) writes scalars at the end of each epoch; `'batch'` after every batch as well;
   * a number N after every N batches as well (Keras's integer `update_freq`).
   */
  updateFreq?: 'batch' | 'epoch' | number;
  /** Weight histograms every this many epochs; 0 never. Default 1 (tf.node.tensorBoard's default is 0). */
  histogramFreq?: number;
  images?: TensorBoardImages;
}

const SKIPPED = new Set(['batch', 'size', 'num_steps']);

/**
 * tf.node.tensorBoard without tfjs-node: TensorBoard event files, written in TypeScript, under
 * `logDir/train` and `logDir/val`, with the same tags (`epoch_loss`, `batch_acc`, validation metrics
 * under `val` without their prefix), weight histograms, the learning rate and sample images.
 * Works with `model.fit`, `model.fitDataset` and `fitDataParallel`. View with `tensorboard --logdir DIR`.
 */
export class TensorBoard extends tfl.Callback implements ResumableCallback {
  private readonly train: EventFileWriter;
  private val: EventFileWriter | undefined;
  private batchesSeen = 0;
  private imagesWritten = false;
  /** `setState` was called since training last began. */
  private restored = false;
  /** The first epoch of the current `fit` has begun. */
  private started = false;
  private readonly updateFreq: 'batch' | 'epoch' | number;
  private readonly histogramFreq: number;

  constructor(
    readonly logDir: string,
    private readonly args: TensorBoardArgs = {},
  ) {
    super();
    if (typeof logDir !== 'string' || logDir === '')
      throw new CallbackError('tensorBoard: logDir must be a directory path');
    const { updateFreq = 'epoch', histogramFreq = 1, images } = args;
    if (
      updateFreq !== 'batch' &&
      updateFreq !== 'epoch' &&
      !(typeof updateFreq === 'number' && Number.isInteger(updateFreq) && updateFreq >= 1)
    )
      throw new CallbackError(
        `tensorBoard: updateFreq must be 'batch', 'epoch' or an integer ≥ 1, got ${JSON.stringify(updateFreq)}`,
      );
    if (!Number.isInteger(histogramFreq) || histogramFreq < 0)
      throw new CallbackError(`tensorBoard: histogramFreq must be an integer ≥ 0, got ${histogramFreq}`);
    if (images) checkImages(images);
    this.updateFreq = updateFreq;
    this.histogramFreq = histogramFreq;
    // Opened now, so an unwritable logDir fails before any training step.
    this.train = new EventFileWriter(join(logDir, 'train'));
  }

  /** The train and validation event files written so far. */
  get files(): string[] {
    return [this.train.path, ...(this.val ? [this.val.path] : [])];
  }

  override async onTrainBegin() {
    this.started = false;
  }

  // Here rather than in onTrainBegin: fitDataset does not tell callbacks its initialEpoch.
  override async onEpochBegin(epoch: number) {
    if (this.started) return;
    this.started = true;
    const resumed = this.restored || epoch > 0;
    if (resumed) await this.resume(epoch);
    this.restored = false;
    if (this.args.images && !this.imagesWritten) {
      this.train.write({ wallTime: now(), step: 0, values: imageValues(this.args.images) });
      this.imagesWritten = true;
    }
  }

  /**
   * A run resumed at `epoch`: batch steps continue from the saved count (`setState`), else from the
   * optimizer's iterations, which a checkpoint restores; the events the interrupted run wrote after
   * that point are dropped from the event files, so no step appears twice. The images are already there.
   */
  private async resume(epoch: number) {
    if (!this.restored && this.batchesSeen === 0)
      this.batchesSeen = (this.model as tfl.LayersModel | undefined)?.optimizer?.iterations ?? 0;
    this.imagesWritten = true;
    const batchStep = this.batchesSeen;
    const after = (event: TensorBoardEvent) => {
      const values = event.values ?? [];
      if (values.length === 0) return false;
      const perBatch = values.some((v) => v.tag.startsWith('batch_'));
      return perBatch ? event.step > batchStep : event.step > epoch;
    };
    for (const run of ['train', 'val']) await dropEvents(join(this.logDir, run), after);
  }

  override async onBatchEnd(_batch: number, logs?: Logs) {
    this.batchesSeen++;
    const every = this.updateFreq === 'batch' ? 1 : this.updateFreq;
    if (every === 'epoch' || this.batchesSeen % every !== 0) return;
    this.writeScalars(await resolveLogs(logs), 'batch_', this.batchesSeen);
  }

  override async onEpochEnd(epoch: number, logs?: Logs) {
    const scalars = await resolveLogs(logs);
    if (!('lr' in scalars) && !('learning_rate' in scalars)) {
      const rate = this.learningRate();
      if (rate !== undefined) scalars.learning_rate = rate;
    }
    this.writeScalars(scalars, 'epoch_', epoch + 1);
    if (this.histogramFreq > 0 && epoch % this.histogramFreq === 0) this.writeHistograms(epoch + 1);
  }

  getState(): CallbackState {
    return { batchesSeen: this.batchesSeen };
  }

  setState(state: CallbackState): void {
    this.batchesSeen = stateNumber('tensorBoard', state, 'batchesSeen', 0, { integer: true });
    this.restored = true;
  }

  private writeScalars(logs: Record<string, number>, prefix: string, step: number) {
    const train: SummaryValue[] = [];
    const val: SummaryValue[] = [];
    for (const [key, value] of Object.entries(logs)) {
      if (SKIPPED.has(key)) continue;
      if (key.startsWith('val_')) val.push({ tag: prefix + key.slice(4), simpleValue: value });
      else train.push({ tag: prefix + key, simpleValue: value });
    }
    const wallTime = now();
    if (train.length) this.train.write({ wallTime, step, values: train });
    if (val.length) {
      this.val ??= new EventFileWriter(join(this.logDir, 'val'));
      this.val.write({ wallTime, step, values: val });
    }
  }

  private writeHistograms(step: number) {
    const model = this.model as tfl.LayersModel | undefined;
    if (!model) return;
    const values: SummaryValue[] = model.weights.map((weight) => {
      const tensor = weight.read();
      return { tag: weight.name, histogram: histogramOf(tensor.dataSync()) };
    });
    this.train.write({ wallTime: now(), step, values });
  }

  private learningRate(): number | undefined {
    const optimizer = (this.model as tfl.LayersModel | undefined)?.optimizer;
    if (!optimizer) return undefined;
    try {
      return getLearningRate(optimizer);
    } catch {
      return undefined;
    }
  }
}

/** tf.node.tensorBoard's signature, or `{ logDir, ...args }`. */
export function tensorBoard(logDir: string, args?: TensorBoardArgs): TensorBoard;
export function tensorBoard(args: TensorBoardArgs & { logDir: string }): TensorBoard;
export function tensorBoard(
  logDirOrArgs: string | (TensorBoardArgs & { logDir: string }),
  args?: TensorBoardArgs,
): TensorBoard {
  if (typeof logDirOrArgs === 'string') return new TensorBoard(logDirOrArgs, args);
  const { logDir, ...rest } = logDirOrArgs ?? ({} as { logDir: string });
  return new TensorBoard(logDir, rest);
}

const now = () => Date.now() / 1000;

function checkImages({ data, shape, maxImages = 3 }: TensorBoardImages) {
  const [n, h, w, c] = shape ?? [];
  if (![n, h, w, c].every((d) => Number.isInteger(d) && d! >= 1) || ![1, 3, 4].includes(c!))
    throw new CallbackError(
      `tensorBoard: images.shape must be [n, height, width, 1|3|4], got ${JSON.stringify(shape)}`,
    );
  if (data?.length !== n! * h! * w! * c!)
    throw new CallbackError(
      `tensorBoard: images.data holds ${data?.length} values; images.shape [${shape.join(', ')}] needs ${n! * h! * w! * c!}`,
    );
  if (!Number.isInteger(maxImages) || maxImages < 1)
    throw new CallbackError(`tensorBoard: images.maxImages must be an integer ≥ 1, got ${maxImages}`);
}

function imageValues({ data, shape, maxImages = 3, tag = 'samples' }: TensorBoardImages): SummaryValue[] {
  const [n, height, width, channels] = shape;
  const size = height * width * channels;
  const scale = data instanceof Float32Array ? 255 : 1;
  return Array.from({ length: Math.min(n, maxImages) }, (_, i) => {
    const pixels = new Uint8Array(size);
    for (let j = 0; j < size; j++)
      pixels[j] = Math.max(0, Math.min(255, Math.round(data[i * size + j]! * scale)));
    const encoded = encode({ width, height, data: pixels, channels, depth: 8 });
    return { tag: `${tag}/${i}`, image: { height, width, colorspace: channels, encoded } };
  });
}

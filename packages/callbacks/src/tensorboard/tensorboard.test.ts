import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint, memoryCheckpointStore, saveCheckpoint } from '@fmnist/io';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { CallbackError } from '../errors.js';
import { tf, tfl, tinyData, tinyModel } from '../testing/index.js';
import { cpuTestsWithTempDir } from '../testing/suite.js';
import { crc32c, maskedCrc32c } from './crc32c.js';
import { readEventFile } from './event-file.js';
import { decodeEvent, encodeEvent, histogramOf, type SummaryValue, type TensorBoardEvent } from './events.js';
import { frameRecord, readRecords } from './records.js';
import { tensorBoard } from './tensorboard-callback.js';

const root = cpuTestsWithTempDir('fmnist-tb-');

const scalars = (events: TensorBoardEvent[], tag: string) =>
  events.flatMap((e) =>
    (e.values ?? [])
      .filter((v): v is SummaryValue & { simpleValue: number } => v.tag === tag && 'simpleValue' in v)
      .map((v) => ({ step: e.step, value: v.simpleValue })),
  );

async function eventsIn(dir: string) {
  const files = readdirSync(dir).filter((f) => f.includes('tfevents'));
  expect(files).toHaveLength(1);
  return readEventFile(join(dir, files[0]!));
}

describe('TFRecord framing', () => {
  it('uses CRC-32C (check value of "123456789") masked as TensorFlow masks it', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    const crc = crc32c(new Uint8Array(0));
    expect(maskedCrc32c(new Uint8Array(0))).toBe(((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });

  it('round-trips records, reports a cut-off last record and rejects a flipped byte by offset', () => {
    const a = frameRecord(Uint8Array.of(1, 2, 3));
    const b = frameRecord(new Uint8Array(100).fill(7));
    const file = new Uint8Array([...a, ...b]);
    const read = readRecords(file);
    expect(read.truncated).toBe(false);
    expect(read.records.map((r) => r.length)).toEqual([3, 100]);
    expect(readRecords(file.subarray(0, file.length - 5))).toMatchObject({ truncated: true });
    expect(readRecords(file.subarray(0, file.length - 5)).records).toHaveLength(1);
    const bad = file.slice();
    bad[a.length + 20]! ^= 1;
    expect(() => readRecords(bad, 'x.tfevents')).toThrow(
      `x.tfevents: the record at byte ${a.length} fails its CRC`,
    );
  });

  it('names the file and record that is not an event', async () => {
    const path = join(root(), 'not-events.tfevents');
    await writeFile(
      path,
      new Uint8Array([
        ...frameRecord(encodeEvent({ wallTime: 1, step: 0 })),
        ...frameRecord(Uint8Array.of(0x0f)),
      ]),
    );
    await expect(readEventFile(path)).rejects.toThrow(
      `readEventFile: record 1 of ${path} is not a TensorBoard event`,
    );
    await expect(readEventFile(join(root(), 'missing'))).rejects.toThrow(CallbackError);
  });

  it('encodes events that decode to the same scalars, histograms and images', () => {
    const event: TensorBoardEvent = {
      wallTime: 1_700_000_000.25,
      step: 12,
      values: [
        { tag: 'epoch_loss', simpleValue: 0.5 },
        { tag: 'w', histogram: histogramOf([1, 2, 2, 3], 2) },
        { tag: 'img', image: { height: 2, width: 3, colorspace: 1, encoded: Uint8Array.of(9, 8) } },
      ],
    };
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
    expect(histogramOf([1, 2, 2, 3], 2)).toEqual({
      min: 1,
      max: 3,
      num: 4,
      sum: 8,
      sumSquares: 18,
      bucketLimit: [2, 3],
      bucket: [1, 3],
    });
  });
});

describe('tensorBoard callback', () => {
  it('writes per-batch and per-epoch scalars, validation under val, histograms, the learning rate and images', async () => {
    const logDir = join(root(), 'fit');
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    const images = new Uint8Array(2 * 5 * 4).map((_, i) => (i * 13) % 256);
    const callback = tensorBoard({
      logDir,
      updateFreq: 'batch',
      images: { data: images, shape: [2, 5, 4, 1] },
    });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 2,
      verbose: 0,
      validationData: [xs, ys],
      callbacks: [callback],
    });
    expect(tf.memory().numTensors).toBe(before);

    const { events, truncated } = await eventsIn(join(logDir, 'train'));
    expect(truncated).toBe(false);
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', step: 0 });
    expect(scalars(events, 'batch_loss').map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(scalars(events, 'epoch_loss').map((s) => s.step)).toEqual([1, 2, 3]);
    expect(scalars(events, 'epoch_acc')).toHaveLength(3);
    for (const { value } of scalars(events, 'epoch_learning_rate')) expect(value).toBeCloseTo(0.1);
    expect(scalars(events, 'epoch_val_loss')).toEqual([]);

    const histograms = events.flatMap((e) => (e.values ?? []).filter((v) => 'histogram' in v));
    expect(histograms).toHaveLength(3 * model.weights.length);
    const kernel = model.weights[0]!;
    const last = histograms.filter((h) => h.tag === kernel.name).at(-1) as SummaryValue & {
      histogram: { num: number; sum: number };
    };
    const values = kernel.read().dataSync();
    expect(last.histogram.num).toBe(values.length);
    expect(last.histogram.sum).toBeCloseTo(
      Array.from(values).reduce((a, b) => a + b, 0),
      5,
    );

    const written = events.flatMap((e) => (e.values ?? []).filter((v) => 'image' in v)) as (SummaryValue & {
      image: { encoded: Uint8Array; width: number; height: number };
    })[];
    expect(written.map((v) => v.tag)).toEqual(['samples/0', 'samples/1']);
    const png = decode(written[1]!.image.encoded);
    expect([png.width, png.height, png.channels]).toEqual([4, 5, 1]);
    expect(Array.from(png.data)).toEqual(Array.from(images.subarray(20, 40)));

    const val = await eventsIn(join(logDir, 'val'));
    expect(scalars(val.events, 'epoch_loss').map((s) => s.step)).toEqual([1, 2, 3]);
    tf.dispose([xs, ys]);
  });

  it('writes every Nth batch with a numeric updateFreq, and only epochs by default', async () => {
    const model = tinyModel();
    const { xs, ys } = tinyData();
    const every = tensorBoard(join(root(), 'every-3'), { updateFreq: 3, histogramFreq: 0 });
    const epochs = tensorBoard(join(root(), 'epochs'), { histogramFreq: 2 });
    await model.fit(xs, ys, { epochs: 3, batchSize: 1, verbose: 0, callbacks: [every, epochs] });
    const a = await eventsIn(join(root(), 'every-3', 'train'));
    expect(scalars(a.events, 'batch_loss').map((s) => s.step)).toEqual([3, 6, 9, 12]);
    expect(a.events.some((e) => e.values?.some((v) => 'histogram' in v))).toBe(false);
    const b = await eventsIn(join(root(), 'epochs', 'train'));
    expect(scalars(b.events, 'batch_loss')).toEqual([]);
    const histogramSteps = b.events.filter((e) => e.values?.some((v) => 'histogram' in v)).map((e) => e.step);
    expect(histogramSteps).toEqual([1, 3]);
    tf.dispose([xs, ys]);
  });

  it('works under fitDataset', async () => {
    const { xs, ys } = tinyData();
    const data = await import('@tensorflow/tfjs-data');
    const dataset = data
      .zip({ xs: data.array(xs.arraySync() as number[][]), ys: data.array(ys.arraySync() as number[][]) })
      .batch(2);
    const model = tinyModel();
    await model.fitDataset(dataset as never, {
      epochs: 2,
      callbacks: [tensorBoard(join(root(), 'dataset'), { updateFreq: 'batch' })],
    });
    const { events } = await eventsIn(join(root(), 'dataset', 'train'));
    expect(scalars(events, 'batch_loss')).toHaveLength(4);
    expect(scalars(events, 'epoch_loss')).toHaveLength(2);
    tf.dispose([xs, ys]);
  });

  it('keeps its batch count across a resume (getState / setState)', async () => {
    const first = tensorBoard(join(root(), 'resume'), { updateFreq: 'batch', histogramFreq: 0 });
    const model = tinyModel();
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0, callbacks: [first] });
    const second = tensorBoard(join(root(), 'resume'), { updateFreq: 'batch', histogramFreq: 0 });
    second.setState(first.getState());
    await model.fit(xs, ys, { epochs: 2, initialEpoch: 1, batchSize: 2, verbose: 0, callbacks: [second] });
    const steps = [];
    for (const file of [...first.files, ...second.files]) {
      steps.push(...scalars((await readEventFile(file)).events, 'batch_loss').map((s) => s.step));
    }
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(() => second.setState({ batchesSeen: -1 })).toThrow(/batchesSeen must be an integer ≥ 0/);
    tf.dispose([xs, ys]);
  });

  it('a resumed run continues the batch steps and drops the steps written after its checkpoint', async () => {
    const logDir = join(root(), 'resumed');
    const args = {
      updateFreq: 'batch' as const,
      images: { data: new Uint8Array(4), shape: [1, 2, 2, 1] as [number, number, number, number] },
    };
    const { xs, ys } = tinyData();
    const fit = (model: tfl.LayersModel, initialEpoch: number, epochs: number, callbacks: tfl.Callback[]) =>
      model.fit(xs, ys, { epochs, initialEpoch, batchSize: 2, shuffle: false, verbose: 0, callbacks });
    // The killed run: a checkpoint after epoch 2 of 4, then epochs 3 and 4 logged before it died.
    const killed = tinyModel(tf.train.adam(0.01));
    const before = tensorBoard(logDir, args);
    await fit(killed, 0, 2, [before]);
    const store = memoryCheckpointStore();
    await saveCheckpoint(store, 'resumed-checkpoint', killed);
    await fit(killed, 2, 4, [before]);
    // The resumed run, with a new callback that was given no state: it starts from the optimizer's steps.
    const resumed = tinyModel(tf.train.adam(0.01));
    await loadCheckpoint(store, 'resumed-checkpoint', resumed);
    const after = tensorBoard(logDir, args);
    await fit(resumed, 2, 4, [after]);

    const events: TensorBoardEvent[] = [];
    for (const file of readdirSync(join(logDir, 'train')))
      events.push(...(await readEventFile(join(logDir, 'train', file))).events);
    const steps = (tag: string) =>
      scalars(events, tag)
        .map((s) => s.step)
        .sort((a, b) => a - b);
    expect(steps('batch_loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(steps('epoch_loss')).toEqual([1, 2, 3, 4]);
    const histogramSteps = events.filter((e) => e.values?.some((v) => 'histogram' in v)).map((e) => e.step);
    expect(histogramSteps.sort()).toEqual([1, 2, 3, 4]);
    expect(events.filter((e) => e.values?.some((v) => 'image' in v))).toHaveLength(1);
    // What the resumed run logged for epochs 3 and 4 is what is left.
    const last = scalars((await readEventFile(after.files[0]!)).events, 'epoch_loss');
    expect(last.map((s) => s.step)).toEqual([3, 4]);
    tf.dispose([xs, ys]);
  });

  it('leaves a file readable up to its last whole record when a write is cut short', async () => {
    const callback = tensorBoard(join(root(), 'crash'), { updateFreq: 'batch', histogramFreq: 0 });
    const model = tinyModel();
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [callback] });
    const [file] = callback.files;
    const whole = await readEventFile(file!);
    await truncate(file!, (await readFile(file!)).length - 3);
    const cut = await readEventFile(file!);
    expect(cut.truncated).toBe(true);
    expect(cut.events).toEqual(whole.events.slice(0, -1));
    tf.dispose([xs, ys]);
  });

  it('reports its log folder removed mid-run as a CallbackError naming the event file', async () => {
    const logDir = join(root(), 'removed');
    const callback = tensorBoard(logDir, { histogramFreq: 0 });
    const remove = new (class extends tfl.Callback {
      override async onEpochEnd(epoch: number) {
        if (epoch === 1) await rm(logDir, { recursive: true, force: true });
      }
    })();
    const model = tinyModel();
    const { xs, ys } = tinyData();
    const error = await model
      .fit(xs, ys, { epochs: 3, verbose: 0, callbacks: [remove, callback] })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as Error).message).toBe(`tensorBoard: cannot append an event to ${callback.files[0]}`);
    expect((error as Error).cause).toMatchObject({ code: 'ENOENT' });
    tf.dispose([xs, ys]);
  });

  it('rejects bad arguments before training, naming them', async () => {
    const blocker = join(root(), 'a-file');
    await writeFile(blocker, 'x');
    expect(() => tensorBoard(join(blocker, 'logs'))).toThrow(CallbackError);
    expect(() => tensorBoard(join(blocker, 'logs'))).toThrow(
      `cannot write event files in ${join(blocker, 'logs', 'train')}`,
    );
    expect(() => tensorBoard('')).toThrow('tensorBoard: logDir must be a directory path');
    expect(() => tensorBoard(root(), { updateFreq: 'step' as never })).toThrow(
      /updateFreq must be 'batch', 'epoch' or an integer ≥ 1, got "step"/,
    );
    expect(() => tensorBoard(root(), { histogramFreq: -1 })).toThrow(
      /histogramFreq must be an integer ≥ 0, got -1/,
    );
    expect(() => tensorBoard(root(), { images: { data: new Uint8Array(10), shape: [1, 3, 3, 1] } })).toThrow(
      /images.data holds 10 values; images.shape \[1, 3, 3, 1\] needs 9/,
    );
    expect(() => tensorBoard(root(), { images: { data: new Uint8Array(18), shape: [1, 3, 3, 2] } })).toThrow(
      /images.shape must be \[n, height, width, 1\|3\|4\]/,
    );
  });
});

const python = ['python3', 'python'].find(
  (cmd) => spawnSync(cmd, ['-c', 'import tensorboard'], { stdio: 'ignore' }).status === 0,
);

describe.skipIf(!python)("TensorBoard's own reader (Python tensorboard installed)", () => {
  it('loads our scalars, histograms and images', async () => {
    const logDir = join(root(), 'python');
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, {
      epochs: 2,
      batchSize: 2,
      verbose: 0,
      validationData: [xs, ys],
      callbacks: [
        tensorBoard(logDir, {
          updateFreq: 'batch',
          images: { data: new Float32Array(3 * 4 * 4).fill(0.5), shape: [3, 4, 4, 1] },
        }),
      ],
    });
    const script = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
out = {}
for run in ('train', 'val'):
    acc = EventAccumulator(sys.argv[1] + '/' + run, size_guidance={'images': 0, 'histograms': 0, 'scalars': 0})
    acc.Reload()
    tags = acc.Tags()
    out[run] = {
        'scalars': {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags['scalars']},
        'histograms': {t: [[e.step, e.histogram_value.num] for e in acc.Histograms(t)] for t in tags['histograms']},
        'images': {t: [[e.width, e.height] for e in acc.Images(t)] for t in tags['images']},
    }
print(json.dumps(out))
`;
    const read = JSON.parse(execFileSync(python!, ['-c', script, logDir], { encoding: 'utf8' }));
    expect(read.train.scalars.batch_loss.map((s: number[]) => s[0])).toEqual([1, 2, 3, 4]);
    expect(read.train.scalars.epoch_loss.map((s: number[]) => s[0])).toEqual([1, 2]);
    expect(read.val.scalars.epoch_loss).toHaveLength(2);
    const kernel = model.weights[0]!;
    const size = kernel.read().size;
    expect(read.train.histograms[kernel.name]).toEqual([
      [1, size],
      [2, size],
    ]);
    expect(read.train.images['samples/2']).toEqual([[4, 4]]);
    tf.dispose([xs, ys]);
  }, 60_000);
});

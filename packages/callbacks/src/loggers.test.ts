import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvLogger } from './csv-logger.js';
import { CallbackError } from './errors.js';
import { jsonHistory } from './json-history.js';
import { progressBar } from './progress-bar.js';
import { tf, tfl, tinyData, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-log-');

/** Removes `dir` at the end of epoch `at`, before the callbacks after it in the list run. */
class RemoveDirAt extends tfl.Callback {
  constructor(
    private readonly dir: string,
    private readonly at: number,
  ) {
    super();
  }
  override async onEpochEnd(epoch: number) {
    if (epoch === this.at) await rm(this.dir, { recursive: true, force: true });
  }
}

/** What `fit` rejected with, for a look at its message and cause. */
async function fitError(callbacks: tfl.Callback[]): Promise<Error & { cause?: { code?: string } }> {
  const model = tinyModel(tf.train.sgd(0.1));
  const { xs, ys } = tinyData();
  const error = await model.fit(xs, ys, { epochs: 3, verbose: 0, callbacks }).catch((e: unknown) => e);
  tf.dispose([xs, ys]);
  expect(error).toBeInstanceOf(CallbackError);
  return error as Error & { cause?: { code?: string } };
}

describe('file system errors are CallbackErrors naming the file, with the original as cause', () => {
  it('csvLogger: a path it cannot create, and its folder removed mid-run', async () => {
    const file = join(root(), 'plain-file');
    await writeFile(file, '');
    const unwritable = join(file, 'history.csv');
    const early = await fitError([csvLogger({ path: unwritable })]);
    expect(early.message).toBe(`csvLogger: cannot create ${unwritable}`);
    expect(early.cause?.code).toMatch(/^(ENOTDIR|EEXIST)$/);

    const dir = join(root(), 'csv-removed');
    const path = join(dir, 'history.csv');
    const late = await fitError([new RemoveDirAt(dir, 1), csvLogger({ path })]);
    expect(late.message).toBe(`csvLogger: cannot append epoch 1 to ${path}`);
    expect(late.cause?.code).toBe('ENOENT');
  });

  it('jsonHistory: a path it cannot write', async () => {
    const file = join(root(), 'another-file');
    await writeFile(file, '');
    const path = join(file, 'history.json');
    const error = await fitError([jsonHistory({ path })]);
    expect(error.message).toBe(`jsonHistory: cannot write ${path}`);
    expect(error.cause?.code).toMatch(/^(ENOTDIR|EEXIST)$/);
  });
});

describe('csvLogger', () => {
  it('writes a header and one row per epoch, and appends to a resumed run without a second header', async () => {
    const path = join(root(), 'history.csv');
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, { epochs: 2, verbose: 0, callbacks: [csvLogger({ path })] });
    await model.fit(xs, ys, {
      epochs: 3,
      initialEpoch: 2,
      verbose: 0,
      callbacks: [csvLogger({ path, append: true })],
    });
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('epoch,acc,loss');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['0', '1', '2']);
    expect(lines.filter((l) => l.startsWith('epoch'))).toHaveLength(1);
    tf.dispose([xs, ys]);
  });
});

/** Trains `model` from `initialEpoch` to `epochs` (2 batches an epoch); returns tfjs's History. */
async function fitFrom(
  model: tfl.LayersModel,
  initialEpoch: number,
  epochs: number,
  callbacks: tfl.Callback[],
) {
  const { xs, ys } = tinyData();
  const history = await model.fit(xs, ys, { epochs, initialEpoch, batchSize: 2, verbose: 0, callbacks });
  tf.dispose([xs, ys]);
  return history.history;
}

describe('a resumed run (from epoch 2 of 4, after a run that reached epoch 4)', () => {
  it('csvLogger with append keeps epochs 0-1, replaces 2-3 and writes each epoch once', async () => {
    const path = join(root(), 'resumed.csv');
    const first = await fitFrom(tinyModel(tf.train.sgd(0.1)), 0, 4, [csvLogger({ path })]);
    const second = await fitFrom(tinyModel(tf.train.sgd(0.5)), 2, 4, [csvLogger({ path, append: true })]);
    const [header, ...rows] = (await readFile(path, 'utf8')).trim().split('\n');
    expect(header).toBe('epoch,acc,loss');
    expect(rows.map((r) => Number(r.split(',')[0]))).toEqual([0, 1, 2, 3]);
    const losses = rows.map((r) => Number(r.split(',')[2]));
    expect(losses).toEqual([...first.loss!.slice(0, 2), ...second.loss!]);
  });

  it('jsonHistory keeps epochs 0-1, replaces 2-3, and starts afresh with append: false', async () => {
    const path = join(root(), 'resumed.json');
    const first = await fitFrom(tinyModel(tf.train.sgd(0.1)), 0, 4, [jsonHistory({ path })]);
    const second = await fitFrom(tinyModel(tf.train.sgd(0.5)), 2, 4, [jsonHistory({ path })]);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.epoch).toEqual([0, 1, 2, 3]);
    expect(saved.history.loss).toEqual([...first.loss!.slice(0, 2), ...second.loss!]);

    await fitFrom(tinyModel(tf.train.sgd(0.5)), 2, 4, [jsonHistory({ path, append: false })]);
    expect(JSON.parse(await readFile(path, 'utf8')).epoch).toEqual([2, 3]);

    await writeFile(path, JSON.stringify({ epoch: [0, 1], history: { loss: [1] } }));
    await expect(fitFrom(tinyModel(), 2, 3, [jsonHistory({ path })])).rejects.toThrow(
      `jsonHistory: ${path}: history.loss must hold one value per epoch (2), got 1`,
    );
  });

  it('jsonHistory under fitDataset, which does not pass initialEpoch to callbacks', async () => {
    const path = join(root(), 'dataset.json');
    const { xs, ys } = tinyData();
    const data = await import('@tensorflow/tfjs-data');
    const dataset = () =>
      data
        .zip({ xs: data.array(xs.arraySync() as number[][]), ys: data.array(ys.arraySync() as number[][]) })
        .batch(2) as never;
    await tinyModel().fitDataset(dataset(), { epochs: 4, verbose: 0, callbacks: [jsonHistory({ path })] });
    const history = jsonHistory({ path });
    await tinyModel().fitDataset(dataset(), { epochs: 3, initialEpoch: 1, verbose: 0, callbacks: [history] });
    expect(JSON.parse(await readFile(path, 'utf8')).epoch).toEqual([0, 1, 2]);
    expect(history.epochs).toEqual([0, 1, 2]);
    tf.dispose([xs, ys]);
  });

  it('jsonHistory keeps every list as long as the epochs, null where a key is missing', async () => {
    const path = join(root(), 'aligned.json');
    const extra = new (class extends tfl.Callback {
      override async onEpochEnd(epoch: number, logs?: Record<string, unknown>) {
        if (logs && epoch === 1) logs.extra = 7;
      }
    })();
    await fitFrom(tinyModel(), 0, 3, [extra, jsonHistory({ path })]);
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.history.extra).toEqual([null, 7, null]);
    expect(saved.history.loss).toHaveLength(3);
  });
});

describe('jsonHistory', () => {
  it('keeps every epoch in one JSON file', async () => {
    const path = join(root(), 'history.json');
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, { epochs: 3, verbose: 0, callbacks: [jsonHistory({ path })] });
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved.epoch).toEqual([0, 1, 2]);
    expect(saved.history.loss).toHaveLength(3);
    tf.dispose([xs, ys]);
  });
});

describe('progressBar', () => {
  it('writes one line per epoch when not a terminal', async () => {
    const written: string[] = [];
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 2,
      verbose: 0,
      callbacks: [progressBar({ stream: { write: (t: string) => written.push(t), isTTY: false } })],
    });
    expect(written).toHaveLength(3);
    expect(written[2]).toMatch(/^Epoch 3\/3 [\d.]+s \d+ img\/s .*loss [\d.]+.*\n$/);
    tf.dispose([xs, ys]);
  });

  it('draws a live bar with ETA in a terminal', async () => {
    const written: string[] = [];
    const model = tinyModel(tf.train.sgd(0.1));
    const { xs, ys } = tinyData();
    await model.fit(xs, ys, {
      epochs: 1,
      batchSize: 2,
      verbose: 0,
      callbacks: [progressBar({ stream: { write: (t: string) => written.push(t), isTTY: true } })],
    });
    expect(written.some((t) => /^\rEpoch 1\/1 \[=+ *\] 2\/2 ETA \d+s/.test(t))).toBe(true);
    tf.dispose([xs, ys]);
  });
});

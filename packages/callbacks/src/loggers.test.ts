import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvLogger, jsonHistory } from './loggers.js';
import { progressBar } from './progress-bar.js';
import { terminateOnNaN } from './terminate-on-nan.js';
import { tf, tinyData, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-log-');

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

describe('terminateOnNaN', () => {
  it('stops at the first batch with a NaN loss', async () => {
    const model = tinyModel(tf.train.sgd(0.1));
    const xs = tf.tensor2d([
      [Number.NaN, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    const { ys } = tinyData();
    const history = await model.fit(xs, ys, {
      epochs: 5,
      batchSize: 1,
      verbose: 0,
      callbacks: [terminateOnNaN()],
    });
    expect(history.epoch).toHaveLength(1);
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

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEventFile } from '@fmnist/callbacks/node';
import { loadFashionMnist } from '@fmnist/dataset/node';
import { directoryLoadHandler } from '@fmnist/io/node';
import { VGG_MODEL_TRAINABLE_PARAMS } from '@fmnist/model';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from './config.js';
import { main } from './main.js';
import { runTraining } from './run.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-train-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function run(args: string[]) {
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...parts) => {
    errors.push(parts.join(' '));
  });
  try {
    return { code: await main(args), errors: errors.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

const NO_DROPOUT = { model: { batchNorm: false, dropout: { conv: 0, dense: 0 } } };

/** Flags of a small, quick run (2 epochs of batches of 100) with `recipe` fields from a config file. */
async function smallRunFlags(name: string, recipe: object, { limit = '400', seed = '5' } = {}) {
  const config = join(root, `${name}.json`);
  await writeFile(config, JSON.stringify(recipe));
  return { config, limit, epochs: '2', 'batch-size': '100', seed, workers: '1' };
}

/** A `stop` poll that throws at the `poll`-th batch: a crash, which saves no interrupt checkpoint. */
function crashAt(poll: number) {
  let polls = 0;
  return () => {
    if (++polls === poll) throw new Error('killed');
    return false;
  };
}

describe('fmnist-train bad input: exit 2 before training', () => {
  it('takes the flags after a leading -- (pnpm train -- --flag)', async () => {
    const { code, errors } = await run(['--', '--epochs', '0']);
    expect(code).toBe(2);
    expect(errors).toMatch(/--epochs must be an integer ≥ 1, got '0'/);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--recipe', 'fast'], /unknown recipe 'fast'; expected one of report, cnn-mlp-bn, vgg, quick/],
    [['--epochs', '0'], /--epochs must be an integer ≥ 1, got '0'/],
    [['--batch-size', 'x'], /--batch-size must be an integer ≥ 1, got 'x'/],
    [['--lr=-1'], /--lr must be a positive number, got '-1'/],
    [['--val-split', '1'], /--val-split must be in \[0, 1\), got '1'/],
    [['--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'/],
    [['--workers', 'many'], /--workers must be an integer ≥ 1, got 'many'/],
    [['--resume', '/nonexistent/run'], /--resume \/nonexistent\/run: no checkpoint there/],
    [['--config', '/nonexistent.json'], /--config \/nonexistent.json: cannot read/],
    // Node's recursive mkdir spins forever there: refused before any mkdir.
    [['--out', '/proc/forbidden/run'], /--out \/proc\/forbidden\/run: under \/proc, a kernel filesystem/],
  ])('%j', async (args, message) => {
    const { code, errors } = await run(args as string[]);
    expect(code).toBe(2);
    expect(errors).toMatch(message);
  });

  it('rejects an unknown model architecture in a --config file, naming the field', async () => {
    const config = join(root, 'resnet.json');
    await writeFile(config, JSON.stringify({ model: { architecture: 'resnet', batchNorm: true } }));
    const { code, errors } = await run(['--config', config]);
    expect(code).toBe(2);
    expect(errors).toMatch(/model.architecture must be one of cnn-mlp, vgg, got 'resnet'/);
  });

  it('rejects an unwritable --out', async () => {
    const blocker = join(root, 'file');
    await writeFile(blocker, '');
    const { code, errors } = await run(['--out', join(blocker, 'run'), '--epochs', '1']);
    expect(code).toBe(2);
    expect(errors).toContain(`--out ${join(blocker, 'run')}: ${blocker} is a file, not a directory`);
  });

  it('rejects missing data with --no-download, saying where it looked (exit 3: a data problem)', async () => {
    const empty = join(root, 'empty');
    const { code, errors } = await run(['--data-dir', empty, '--no-download', '--out', join(root, 'nodata')]);
    expect(code).toBe(3);
    expect(errors).toContain(`${empty} (dataDir option): missing train-images-idx3-ubyte[.gz]`);
    expect(errors).toContain('download: disabled');
  });
});

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
if (!hasData) console.warn('SKIPPED trainer runs on real data: Fashion-MNIST not installed (CI installs it)');

describe.skipIf(!hasData)('fmnist-train on real data', () => {
  it('a smoke run (--limit 2000 --epochs 1) writes every file, and the saved model reproduces its evaluation', async () => {
    const out = join(root, 'smoke');
    const logs = vi.spyOn(console, 'log').mockImplementation(() => {});
    const { code, errors } = await run(['--limit', '2000', '--epochs', '1', '--out', out, '--seed', '3']);
    const lines = logs.mock.calls
      .map((parts) => parts.join(' '))
      .join('\n')
      .trimEnd()
      .split('\n');
    logs.mockRestore();
    expect(code).toBe(0);
    // The run's last words say where its results went.
    expect(lines.slice(-2)).toEqual([`run folder: ${out}`, `report:     ${join(out, 'report.html')}`]);
    // No BatchNormalization in the quick recipe: nothing to warn about.
    expect(errors).not.toContain('BatchNormalization');
    for (const file of [
      'config.json',
      'history.csv',
      'report.json',
      'report.html',
      'model/model.json',
      'model/weights.bin',
      'checkpoints/last/optimizer.bin',
      'checkpoints/best/model.json',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const saved = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(saved.summary.parameters).toBe(297_898);
    const provenance = JSON.parse(await readFile(join(out, 'model', 'provenance.json'), 'utf8'));
    expect(provenance.command).toBe(`fmnist-train --limit 2000 --epochs 1 --out ${out} --seed 3`);
    expect(provenance.resumed).toBeUndefined();
    expect(provenance.trainableParameters).toBe(297_898);
    const model = await tfl.loadLayersModel(directoryLoadHandler(join(out, 'model')));
    const { test } = await loadFashionMnist({ download: false });
    const predictions = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(test.images, [test.count, 28, 28, 1], 'float32'), 255);
      return tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync();
    });
    const matrix = saved.report.confusionMatrix as number[][];
    const counts = Array.from({ length: 10 }, () => new Array(10).fill(0));
    predictions.forEach((p, i) => {
      counts[test.labels[i]!]![p]! += 1;
    });
    expect(counts).toEqual(matrix);
    expect((await readFile(join(out, 'history.csv'), 'utf8')).split('\n')[0]).toBe('epoch,acc,loss,lr');
    const [eventFile] = (await readdir(join(out, 'tensorboard', 'train'))).filter((f) =>
      f.includes('tfevents'),
    );
    const { events } = await readEventFile(join(out, 'tensorboard', 'train', eventFile!));
    const tags = new Set(events.flatMap((e) => (e.values ?? []).map((v) => v.tag)));
    for (const tag of ['epoch_loss', 'epoch_acc', 'epoch_lr', 'augmented/0', 'dense1/kernel'])
      expect(tags, tag).toContain(tag);
  }, 300_000);

  it('--recipe vgg trains the VGG network: a short run learns, and its saved model is that network', async () => {
    const out = join(root, 'vgg');
    const logs = vi.spyOn(console, 'log').mockImplementation(() => {});
    const flags = ['--recipe', 'vgg', '--limit', '2000', '--epochs', '2', '--seed', '3'];
    const { code, errors } = await run([...flags, '--out', out]);
    logs.mockRestore();
    expect(code).toBe(0);
    // 2 epochs of 16 batches: the run says its BatchNorm statistics will not have settled.
    expect(errors).toMatch(
      /warning: 32 training steps, but the model's \d+ BatchNormalization layers \(momentum 0.99\)/,
    );
    const saved = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(saved.summary.parameters).toBe(VGG_MODEL_TRAINABLE_PARAMS + 2 * 448);
    const provenance = JSON.parse(await readFile(join(out, 'model', 'provenance.json'), 'utf8'));
    expect(provenance.trainableParameters).toBe(VGG_MODEL_TRAINABLE_PARAMS);
    // Training accuracy, not test: after 32 steps BatchNorm's moving statistics (momentum 0.99) are still
    // far from the data's, so the saved model's test accuracy says little yet.
    const lastEpoch = (await readFile(join(out, 'history.csv'), 'utf8')).trim().split('\n').at(-1)!;
    expect(Number(lastEpoch.split(',')[1])).toBeGreaterThan(0.5);
    const modelJson = JSON.parse(await readFile(join(out, 'model', 'model.json'), 'utf8'));
    expect(modelJson.modelTopology.config.name).toBe('fmnist_vgg_bn');
  }, 300_000);

  it('stopped mid-epoch and resumed, a run ends where an uninterrupted one does', async () => {
    const flags = await smallRunFlags('no-dropout', NO_DROPOUT);
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const straight = resolveConfig({ ...flags, out: join(root, 'straight') });
    await runTraining(straight, { resume: false, stop: () => false });
    const split = resolveConfig({ ...flags, out: join(root, 'split') });
    let polls = 0;
    const first = await runTraining(split, { resume: false, stop: () => ++polls >= 6 });
    expect(first.interrupted).toBe(true);
    const state = JSON.parse(
      await readFile(join(root, 'split', 'checkpoints', 'last', 'state.json'), 'utf8'),
    );
    expect(state).toMatchObject({ epoch: 1, batchInEpoch: 2, globalStep: 6 });
    // The best checkpoint's monitored loss after epoch 1, so the resumed run only replaces a better one;
    // TensorBoard's batch count, so the resumed run's batch steps continue.
    expect(state.callbacks).toEqual({
      bestCheckpoint: { best: expect.any(Number) },
      tensorboard: { batchesSeen: 6 },
    });
    const resumed = await runTraining(split, { resume: true, stop: () => false });
    quiet.mockRestore();
    const a = JSON.parse(await readFile(join(root, 'straight', 'report.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(root, 'split', 'report.json'), 'utf8'));
    expect(b.report.confusionMatrix).toEqual(a.report.confusionMatrix);
    expect(resumed.testAccuracy).toBe(a.summary.testAccuracy);
    // A run started through the API records the command line that would start it.
    const provenance = JSON.parse(await readFile(join(root, 'split', 'model', 'provenance.json'), 'utf8'));
    expect(provenance).toMatchObject({
      command: `fmnist-train --recipe quick --epochs 2 --batch-size 100 --seed 5 --limit 400 --out ${join(root, 'split')}`,
      resumed: true,
    });
    const rows = (await readFile(join(root, 'split', 'history.csv'), 'utf8')).trim().split('\n');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['epoch', '0', '1']);
    // The interrupted epoch's loss and accuracy cover all of its batches, as in the straight run.
    const straightRows = (await readFile(join(root, 'straight', 'history.csv'), 'utf8')).trim().split('\n');
    const numbers = (row: string) => row.split(',').map(Number);
    numbers(rows[2]!).forEach((v, i) => expect(v).toBeCloseTo(numbers(straightRows[2]!)[i]!, 5));
  }, 300_000);

  it('with dropout, the same flags and seed train the same weights bit for bit, stopped and resumed or not', async () => {
    const flags = await smallRunFlags('dropout', { model: { batchNorm: false } });
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const out = (name: string) => join(root, name);
    await runTraining(resolveConfig({ ...flags, workers: '2', out: out('repro-a') }), {
      resume: false,
      stop: () => false,
    });
    await runTraining(resolveConfig({ ...flags, workers: '2', out: out('repro-b') }), {
      resume: false,
      stop: () => false,
    });
    const split = resolveConfig({ ...flags, workers: '2', out: out('repro-c') });
    let polls = 0;
    expect((await runTraining(split, { resume: false, stop: () => ++polls >= 5 })).interrupted).toBe(true);
    await runTraining(split, { resume: true, stop: () => false });
    quiet.mockRestore();
    const weights = (name: string) => readFile(join(out(name), 'model', 'weights.bin'));
    const history = (name: string) => readFile(join(out(name), 'history.csv'), 'utf8');
    expect((await weights('repro-b')).equals(await weights('repro-a'))).toBe(true);
    expect(await history('repro-b')).toBe(await history('repro-a'));
    expect((await weights('repro-c')).equals(await weights('repro-a'))).toBe(true);
  }, 300_000);

  it('keeps the command that started a run in the provenance of its resumed end', async () => {
    const out = join(root, 'resumed-cli');
    const args = ['--limit', '300', '--epochs', '1', '--batch-size', '100', '--workers', '1', '--out', out];
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    let polls = 0;
    // Stopped as a process manager stops it: SIGTERM's exit code, 128 + 15.
    expect(await main(args, { requested: () => (++polls >= 2 ? 'SIGTERM' : undefined) })).toBe(143);
    expect(await main(['--resume', out])).toBe(0);
    quiet.mockRestore();
    const provenance = JSON.parse(await readFile(join(out, 'model', 'provenance.json'), 'utf8'));
    expect(provenance).toMatchObject({ command: `fmnist-train ${args.join(' ')}`, resumed: true });
  }, 300_000);

  it('resumes from the checkpoint before a damaged one, naming the file; with both damaged, exits 3', async () => {
    const out = join(root, 'damaged');
    const args = ['--limit', '300', '--epochs', '2', '--batch-size', '100', '--workers', '1', '--out', out];
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    let polls = 0;
    // Stopped two batches into epoch 2: `last` is that stop, `previous` the end of epoch 1.
    expect(await main(args, { requested: () => (++polls >= 5 ? 'SIGINT' : undefined) })).toBe(130);
    const last = join(out, 'checkpoints', 'last', 'weights.bin');
    const previous = join(out, 'checkpoints', 'previous', 'weights.bin');
    expect(existsSync(previous)).toBe(true);
    await truncate(last, 250); // a copy cut short
    const resumed = await run(['--resume', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.errors).toContain(
      `fmnist-train: ${last}: damaged checkpoint file (250 bytes whose SHA-256 differs from checksums.json); trying the checkpoint before it`,
    );
    await truncate(join(out, 'checkpoints', 'last', 'weights.bin'), 250);
    await truncate(join(out, 'checkpoints', 'previous', 'weights.bin'), 100);
    const failed = await run(['--resume', out]);
    quiet.mockRestore();
    expect(failed.code).toBe(3);
    expect(failed.errors).toContain(`fmnist-train: ${last}: damaged checkpoint file (250 bytes`);
    expect(failed.errors).not.toContain('Based on the provided shape');
  }, 300_000);

  it('checkpoints mid-epoch on a timer, so a run killed mid-epoch resumes from its last batch', async () => {
    const flags = await smallRunFlags('no-dropout', NO_DROPOUT);
    const config = resolveConfig({ ...flags, 'checkpoint-minutes': '0', out: join(root, 'killed') });
    expect(config.checkpointMinutes).toBe(0);
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    // A crash after the third batch: no interrupt checkpoint, only what the timer saved.
    await expect(runTraining(config, { resume: false, stop: crashAt(3) })).rejects.toThrow('killed');
    const state = JSON.parse(
      await readFile(join(root, 'killed', 'checkpoints', 'last', 'state.json'), 'utf8'),
    );
    expect(state).toMatchObject({ epoch: 0, batchInEpoch: 3, globalStep: 3, epochTotals: { seen: 300 } });
    const resumed = await runTraining(config, { resume: true, stop: () => false });
    quiet.mockRestore();
    expect(resumed.interrupted).toBe(false);
    const rows = (await readFile(join(root, 'killed', 'history.csv'), 'utf8')).trim().split('\n');
    expect(rows.map((r) => r.split(',')[0])).toEqual(['epoch', '0', '1']);
    const straight = join(root, 'straight', 'history.csv');
    if (existsSync(straight)) {
      const want = (await readFile(straight, 'utf8')).trim().split('\n');
      expect(rows).toEqual(want);
    }
  }, 300_000);

  it('with a weights average (ema), a run killed mid-epoch and resumed ends as an unbroken one', async () => {
    const flags = await smallRunFlags(
      'ema',
      { model: { batchNorm: true, dropout: { conv: 0, dense: 0 } }, ema: { decay: 0.9 } },
      { limit: '300', seed: '7' },
    );
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const straight = resolveConfig({ ...flags, out: join(root, 'ema-straight') });
    await runTraining(straight, { resume: false, stop: () => false });
    const killed = resolveConfig({ ...flags, 'checkpoint-minutes': '0', out: join(root, 'ema-killed') });
    await expect(runTraining(killed, { resume: false, stop: crashAt(4) })).rejects.toThrow('killed');
    expect(existsSync(join(root, 'ema-killed', 'checkpoints', 'last', 'ema.bin'))).toBe(true);
    await runTraining(killed, { resume: true, stop: () => false });
    quiet.mockRestore();
    const a = JSON.parse(await readFile(join(root, 'ema-straight', 'report.json'), 'utf8'));
    const b = JSON.parse(await readFile(join(root, 'ema-killed', 'report.json'), 'utf8'));
    expect(b.report.confusionMatrix).toEqual(a.report.confusionMatrix);
    expect(b.report.logLoss).toBeCloseTo(a.report.logLoss, 5);
    // The final model is the average, not the last trained weights (which the last checkpoint holds).
    const final = await readFile(join(root, 'ema-killed', 'model', 'weights.bin'));
    const trained = await readFile(join(root, 'ema-killed', 'checkpoints', 'last', 'weights.bin'));
    expect(final.length).toBe(trained.length);
    expect(final.equals(trained)).toBe(false);
  }, 300_000);

  it('with early stopping that restores its best weights, a run killed after its best epoch and resumed ends as an unbroken one', async () => {
    // A learning rate that never changes never improves: the first epoch is the best, and the run stops
    // two epochs later, restoring that epoch's weights.
    const flags = await smallRunFlags(
      'early-stop',
      {
        ...NO_DROPOUT,
        validationSplit: 0.25,
        schedule: { type: 'reduceOnPlateau', monitor: 'val_loss', factor: 0.5, patience: 10, minLR: 1e-6 },
        earlyStopping: { monitor: 'lr', patience: 2, restoreBestWeights: true },
      },
      { seed: '9' },
    );
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    const straight = resolveConfig({ ...flags, epochs: '5', out: join(root, 'stop-straight') });
    await runTraining(straight, { resume: false, stop: () => false });
    const killed = resolveConfig({
      ...flags,
      epochs: '5',
      'checkpoint-minutes': '0',
      out: join(root, 'stop-killed'),
    });
    // 300 training images in batches of 100: the fifth batch is in the second epoch, after the best one.
    await expect(runTraining(killed, { resume: false, stop: crashAt(5) })).rejects.toThrow('killed');
    const last = join(root, 'stop-killed', 'checkpoints', 'last');
    expect(JSON.parse(await readFile(join(last, 'state.json'), 'utf8'))).toMatchObject({ epoch: 1 });
    expect(existsSync(join(last, 'best.bin'))).toBe(true);
    await runTraining(killed, { resume: true, stop: () => false });
    quiet.mockRestore();
    const epochs = async (name: string) =>
      (await readFile(join(root, name, 'history.csv'), 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(',')[0]);
    expect(await epochs('stop-straight')).toEqual(['0', '1', '2']);
    expect(await epochs('stop-killed')).toEqual(['0', '1', '2']);
    const weights = (name: string) => readFile(join(root, name, 'model', 'weights.bin'));
    expect((await weights('stop-killed')).equals(await weights('stop-straight'))).toBe(true);
  }, 300_000);

  it('rejects a negative --checkpoint-minutes', () => {
    expect(() => resolveConfig({ 'checkpoint-minutes': '-1' })).toThrow(
      "--checkpoint-minutes must be a number of minutes ≥ 0, got '-1'",
    );
  });
});

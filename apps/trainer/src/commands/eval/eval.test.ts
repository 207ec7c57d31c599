import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cwd = new URL('../../..', import.meta.url).pathname;
const weights = new URL('../../../../../packages/model/weights/cnn-mlp', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=fmnist-source', 'bin/fmnist-eval.ts', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  );
const ready = existsSync(join(weights, 'model.json')) && existsSync('/usr/share/datasets/fashion-mnist');

describe('fmnist-eval', () => {
  it('needs a model path (exit 2)', () => {
    const result = cli();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('fmnist-eval: a model path is required');
  });

  it('refuses a model that is not for Fashion-MNIST in one line (exit 2)', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const tfl = await import('@tensorflow/tfjs-layers');
    const { directorySaveHandler } = await import('@fmnist/io/node');
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'fmnist-eval-other-'));
    try {
      const model = tfl.sequential({
        layers: [
          tfl.layers.flatten({ inputShape: [16, 16, 1] }),
          tfl.layers.dense({ units: 4, activation: 'softmax' }),
        ],
      });
      await model.save(directorySaveHandler(join(dir, 'model')));
      const result = cli(join(dir, 'model'), '--backend', 'cpu');
      expect(result.status).toBe(2);
      expect(
        result.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('fmnist-eval:')),
      ).toEqual([
        `fmnist-eval: ${join(dir, 'model')} takes [n,16,16,1] and outputs 4 per image; fmnist-eval evaluates Fashion-MNIST models (28x28x1 input, 10 classes): for other data, call evaluateClassifier() from @fmnist/eval/tfjs`,
      ]);
      expect(result.stderr).not.toContain('    at ');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!ready)(
    'evaluates a saved model on the test set and writes the reports',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fmnist-eval-cli-'));
      try {
        const result = cli(
          weights,
          '--backend',
          'wasm',
          '--html',
          join(dir, 'r.html'),
          '--json',
          join(dir, 'r.json'),
        );
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/ {4}accuracy +0\.9\d{3} +10000/);
        const provenance = JSON.parse(await readFile(join(weights, 'provenance.json'), 'utf8'));
        const report = JSON.parse(await readFile(join(dir, 'r.json'), 'utf8'));
        expect(report.accuracy).toBeCloseTo(provenance.testAccuracy, 4);
        expect(await readFile(join(dir, 'r.html'), 'utf8')).toContain('id="confusion-matrix"');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});

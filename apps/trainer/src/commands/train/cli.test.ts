import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import { loadRunCheckpoint } from '@fmnist/training';
import { runCheckpointStore } from '@fmnist/training/node';
import { buildModel } from '@fmnist/training/recipes';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from './config.js';

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('SKIPPED the Ctrl-C-in-a-terminal test of pnpm train: tmux is not installed');
let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'fmnist-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('pnpm train (the README command)', () => {
  const repo = new URL('../../../../..', import.meta.url).pathname;
  it.each([[['--epochs', '0']], [['--', '--epochs', '0']]])(
    "keeps the trainer's exit code for bad input, flags given as %j",
    (args) => {
      const result = spawnSync('pnpm', ['train', ...args], { cwd: repo, encoding: 'utf8' });
      expect(result.stderr).toContain("fmnist-train: --epochs must be an integer ≥ 1, got '0'");
      expect(result.status).toBe(2);
    },
  );
});

describe.skipIf(!hasData)('fmnist-train and Ctrl-C', () => {
  it('finishes the batch, saves a checkpoint and exits 130 with the resume command, when the whole process group gets SIGINT', async () => {
    const out = join(root, 'run');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=fmnist-source',
        'bin/fmnist-train.ts',
        '--limit',
        '3000',
        '--epochs',
        '3',
        '--workers',
        '1',
        '--out',
        out,
      ],
      {
        cwd: new URL('../../..', import.meta.url).pathname,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('model:')) setTimeout(resolve, 3000);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
    });
    // As a terminal's Ctrl-C does: the signal goes to every process of the group, twice in quick succession.
    process.kill(-child.pid!, 'SIGINT');
    process.kill(-child.pid!, 'SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain(`Resume with: pnpm train --resume ${out}`);
    const state = JSON.parse(await readFile(join(out, 'checkpoints', 'last', 'state.json'), 'utf8'));
    expect(state.globalStep).toBeGreaterThan(0);
  }, 180_000);
});

/** Flags of a run that trains for about a minute: long enough to be stopped while it trains. */
const STOPPABLE_RUN = ['--limit', '2000', '--epochs', '3', '--workers', '1', '--no-tensorboard'];

/** The run's `checkpoints/last` loads into its model with every checksum right, some training done. */
async function expectResumableCheckpoint(out: string) {
  const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8')) as RunConfig;
  const model = buildModel(config.recipe, config.seed);
  const { state, name, damaged } = await loadRunCheckpoint(runCheckpointStore(out), model);
  model.dispose();
  expect(damaged).toBeUndefined();
  expect(name).toBe('last');
  expect(state.globalStep).toBeGreaterThan(0);
}

async function until(done: () => boolean, what: string, seconds = 120) {
  for (const started = Date.now(); !done(); await new Promise((r) => setTimeout(r, 250)))
    if (Date.now() - started > seconds * 1000)
      throw new Error(`gave up after ${seconds} s waiting for ${what}`);
}

/** The exit status a shell shows: the code, or 128 + the signal's number for a process a signal ended. */
function shellStatus(child: ChildProcess): Promise<number> {
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? 128 + constants.signals[signal!])),
  );
}

describe.skipIf(!hasData)('pnpm train (the README command) stopped by a signal', () => {
  const repo = new URL('../../../../..', import.meta.url).pathname;

  it.skipIf(!hasTmux)(
    'Ctrl-C typed in a terminal finishes the batch, saves a checkpoint and exits 130',
    async () => {
      const out = join(root, 'ctrl-c');
      // A server of our own, so the test neither sees nor disturbs anyone's tmux sessions.
      const tmux = (...args: string[]) =>
        execFileSync('tmux', ['-L', `fmnist-test-${process.pid}`, '-f', '/dev/null', ...args], {
          encoding: 'utf8',
        });
      const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'train');
      const shell = "env PS1='READY$ ' bash --norc --noprofile";
      tmux('new-session', '-d', '-s', 'train', '-x', '200', '-y', '50', '-c', repo, shell);
      try {
        await until(() => screen().includes('READY$'), 'the shell');
        tmux('send-keys', '-t', 'train', `pnpm train ${STOPPABLE_RUN.join(' ')} --out ${out}`, 'Enter');
        await until(() => /Epoch 1\/3 \[.*\] [1-9]\d*\/\d+/.test(screen()), 'the first batch');
        tmux('send-keys', '-t', 'train', 'C-c');
        await until(() => screen().trimEnd().endsWith('READY$'), 'the prompt after Ctrl-C');
        // Not `pnpm train …; echo $?`: bash drops the rest of a line whose command Ctrl-C ended.
        tmux('send-keys', '-t', 'train', 'echo EXIT=$?', 'Enter');
        await until(() => /EXIT=\d+/.test(screen()), 'the exit status');
        const text = screen();
        expect(text).toMatch(/EXIT=130\b/);
        expect(text).toContain(`Resume with: pnpm train --resume ${out}`);
        await expectResumableCheckpoint(out);
      } finally {
        tmux('kill-server');
      }
    },
    240_000,
  );

  it("SIGTERM to pnpm train's process group (a process manager stopping it) saves a checkpoint, exit 143", async () => {
    const out = join(root, 'sigterm');
    const child = spawn('pnpm', ['train', ...STOPPABLE_RUN, '--out', out], {
      cwd: repo,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const status = shellStatus(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    // A few batches after the model is built (the progress bar of a pipe only prints at the epoch's end).
    await until(() => stdout.includes('model:'), 'the model');
    await new Promise((r) => setTimeout(r, 4000));
    process.kill(-child.pid!, 'SIGTERM');
    expect(await status).toBe(143);
    expect(stderr).toContain(`Resume with: pnpm train --resume ${out}`);
    await expectResumableCheckpoint(out);
  }, 240_000);
});

describe.skipIf(!hasData)('fmnist-train stopped before training starts', () => {
  it("SIGTERM while a teacher's targets are computed ends the process within a chunk: exit 143, nothing saved", async () => {
    const out = join(root, 'before-training');
    // A cache of its own: the teacher's targets are computed, not read, and the cache is left alone.
    const cache = join(root, 'cache');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=fmnist-source',
        'bin/fmnist-train.ts',
        ...['--limit', '6000', '--workers', '1', '--teacher', 'shipped', '--out', out],
      ],
      {
        cwd: new URL('../../..', import.meta.url).pathname,
        env: { ...process.env, XDG_CACHE_HOME: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const status = shellStatus(child);
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    // The backend is chosen just before the targets: two seconds later the teacher is busy classifying.
    await until(() => stderr.includes('tfjs backend:'), 'the backend');
    await new Promise((r) => setTimeout(r, 2000));
    const sent = Date.now();
    child.kill('SIGTERM');
    expect(await status).toBe(143);
    expect(Date.now() - sent).toBeLessThan(20_000);
    expect(stderr).toContain('SIGTERM: stopped before training started; nothing to save');
    expect(existsSync(join(out, 'checkpoints'))).toBe(false);
  }, 240_000);
});

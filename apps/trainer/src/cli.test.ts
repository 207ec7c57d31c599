import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('pnpm train (the README command)', () => {
  const repo = new URL('../../..', import.meta.url).pathname;
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
        'src/cli.ts',
        '--limit',
        '3000',
        '--epochs',
        '3',
        '--workers',
        '1',
        '--out',
        out,
      ],
      { cwd: new URL('..', import.meta.url).pathname, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
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

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const cwd = new URL('../../..', import.meta.url).pathname;
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=fmnist-source', 'bin/fmnist-augment.ts', ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, ...env } },
  );
const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);

describe('fmnist-augment preview', () => {
  it('rejects a bad number, naming the flag', () => {
    const result = cli(['preview', '--rotation', 'lots']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--rotation must be a number, got 'lots'");
  });

  it.skipIf(!hasData)(
    'writes a PNG grid of samples × augmentations where the user typed the command',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'fmnist-preview-'));
      try {
        // pnpm runs the script from the package directory and says in INIT_CWD where the user was.
        const args = ['preview', '--out', 'p.png', '--samples', '3', '--augmentations', '4', '--no-download'];
        const result = cli(args, { INIT_CWD: dir });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain(`wrote ${join(dir, 'p.png')}`);
        const png = decode(await readFile(join(dir, 'p.png')));
        // 5 columns and 3 rows of 28*3 + 2 pixel cells, plus the outer gap.
        expect([png.width, png.height]).toEqual([5 * 86 + 2, 3 * 86 + 2]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

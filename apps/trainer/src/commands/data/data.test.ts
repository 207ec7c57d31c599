import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cwd = new URL('../../..', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=fmnist-source', 'bin/fmnist-data.ts', ...args],
    { cwd, encoding: 'utf8' },
  );
const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);

describe('fmnist-data', () => {
  it('rejects an unknown command with exit code 2', () => {
    const result = cli('explode');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("fmnist-data: unknown command 'explode'");
  });

  // A fresh cache each time: a load copies the data into its cache, which must not carry over.
  const cache = mkdtempSync(join(tmpdir(), 'fmnist-cli-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('says where it looked when the data is missing and downloads are off', () => {
    const result = cli(
      'verify',
      '--data-dir',
      join(cache, 'nothing-here'),
      '--cache-dir',
      join(cache, 'empty'),
      '--no-download',
    );
    // Other places (Debian's package) may still hold the data; either way the outcome is explicit.
    if (result.status === 0)
      expect(result.stdout).toMatch(/Fashion-MNIST from \S+ \((system data|FASHION_MNIST_DIR)\)/);
    else expect(result.stderr).toContain(`${join(cache, 'nothing-here')} (dataDir option): missing`);
  });

  it.skipIf(!hasData)('describes the real data', () => {
    const result = cli('info', '--no-download');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('train: 60000 images of 28x28x1');
    expect(result.stdout).toContain('T-shirt/top 6000');
  });
});

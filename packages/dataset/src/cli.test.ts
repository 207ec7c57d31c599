import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const cwd = new URL('..', import.meta.url).pathname;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd, encoding: 'utf8' });
const hasData = existsSync('/usr/share/datasets/fashion-mnist') || Boolean(process.env.FASHION_MNIST_DIR);

describe('fmnist-data', () => {
  it('rejects an unknown command with exit code 2', () => {
    const result = cli('explode');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("fmnist-data: unknown command 'explode'");
  });

  it('says where it looked when the data is missing and downloads are off', () => {
    const result = cli(
      'verify',
      '--data-dir',
      '/nonexistent/dir',
      '--cache-dir',
      '/nonexistent/cache',
      '--no-download',
    );
    // Other places (Debian's package) may still hold the data; either way the outcome is explicit.
    if (result.status === 0)
      expect(result.stdout).toMatch(/Fashion-MNIST from \S+ \((system data|FASHION_MNIST_DIR)\)/);
    else expect(result.stderr).toContain('/nonexistent/dir (dataDir option): missing');
  });

  it.skipIf(!hasData)('describes the real data', () => {
    const result = cli('info', '--no-download');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('train: 60000 images of 28x28x1');
    expect(result.stdout).toContain('T-shirt/top 6000');
  });
});

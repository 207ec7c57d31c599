import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSweep, writeTinySweep } from './testing.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-sweep-cli-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** fmnist-sweep's exit code and output lines. */
async function sweep(args: string[]) {
  const run = startSweep(args);
  const code = await run.exited;
  return { code, lines: run.output().trim().split('\n') };
}

describe('fmnist-sweep refuses bad input in one line, before any training', () => {
  it('a sweep file with a bad field: exit 2, naming the file and the field', async () => {
    const file = join(root, 'bad.json');
    await writeFile(file, JSON.stringify({ name: 'x', base: { recipe: 'quick' }, budget: { trials: 0 } }));
    expect(await sweep(['run', file, '--out', join(root, 'o')])).toEqual({
      code: 2,
      lines: [`fmnist-sweep: ${file}: budget.trials must be an integer ≥ 1, found 0`],
    });
  });

  it('an unknown base recipe and a misspelt recipe field: exit 2', async () => {
    const file = await writeTinySweep(root, { name: 'r', base: { recipe: 'quik' } });
    const result = await sweep(['run', file, '--out', join(root, 'o')]);
    expect(result).toMatchObject({
      code: 2,
      lines: [expect.stringContaining('base.recipe must be one of report')],
    });
    const typo = await writeTinySweep(root, { name: 't', parameters: { labelSmothing: { grid: [0] } } });
    expect(await sweep(['run', typo, '--out', join(root, 'o')])).toEqual({
      code: 2,
      lines: ['fmnist-sweep: parameter labelSmothing: the recipe has no field labelSmothing'],
    });
  });

  it('a Redis nobody answers at: exit 69, naming it', async () => {
    const file = await writeTinySweep(root, { name: 'q' });
    const url = `redis://127.0.0.1:${await freePort()}/sweeps`;
    const started = Date.now();
    const result = await sweep(['run', file, '--queue', url, '--store', join(root, 'store')]);
    expect(result.code).toBe(69);
    expect(result.lines).toEqual([
      expect.stringMatching(`^fmnist-sweep: --queue ${url}: cannot reach Redis \\(.*ECONNREFUSED`),
    ]);
    const worker = await sweep(['worker', '--queue', url, '--store', join(root, 'store')]);
    expect(worker.code).toBe(69);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a store it cannot write: exit 2, naming --store', async () => {
    const file = await writeTinySweep(root, { name: 's' });
    const result = await sweep(['run', file, '--queue', 'redis://127.0.0.1:1/q', '--store', '/proc/sweeps']);
    expect(result).toEqual({
      code: 2,
      lines: [
        'fmnist-sweep: --store /proc/sweeps/s: under /proc, a kernel filesystem, not a place for files',
      ],
    });
  });

  it('a command line that names no mode: exit 2', async () => {
    const file = await writeTinySweep(root, { name: 'm' });
    const result = await sweep(['run', file]);
    expect(result.code).toBe(2);
    expect(result.lines[0]).toBe(
      'fmnist-sweep: run needs either --out DIR (this machine) or --queue URL with --store DIR',
    );
  });
});

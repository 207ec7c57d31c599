import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/exit-codes.js';
import { makeRunDirectory } from './run-directory.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-run-directory-'));
  await writeFile(join(root, 'file'), '');
  await symlink(join(root, 'nowhere'), join(root, 'dangling'));
  await mkdir(join(root, 'read-only'));
  await chmod(join(root, 'read-only'), 0o555);
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The error `makeRunDirectory` throws, and how long it took to. */
async function refusal(out: string) {
  const started = performance.now();
  const error = await makeRunDirectory(out).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('makeRunDirectory', () => {
  it('creates the missing directories of a new run, and takes an existing empty one', async () => {
    await makeRunDirectory(join(root, 'a', 'b', 'run'));
    await makeRunDirectory(join(root, 'a', 'b', 'run'));
  });

  it.each([
    // Node's recursive mkdir spins forever on this one.
    [
      '/proc/forbidden/run',
      /^--out \/proc\/forbidden\/run: under \/proc, a kernel filesystem, not a place for files$/,
    ],
    ['/proc/self/run', /under \/proc, a kernel filesystem/],
    ['/sys/run', /^--out \/sys\/run: under \/sys, a kernel filesystem, not a place for files$/],
    ['file/run', /^--out ROOT\/file\/run: ROOT\/file is a file, not a directory$/],
    ['file', /^--out ROOT\/file: is a file, not a directory$/],
    ['dangling/run', /^--out ROOT\/dangling\/run: ROOT\/dangling is a symbolic link to nothing$/],
  ])(
    'refuses %s in under a second, with a UsageError (exit 2) naming --out and why',
    async (path, message) => {
      const out = path.startsWith('/') ? path : join(root, path);
      const { error, ms } = await refusal(out);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(new RegExp(message.source.replaceAll('ROOT', root)));
      expect(ms).toBeLessThan(1000);
    },
  );

  it.skipIf(process.getuid?.() === 0)('refuses a directory it may not write in, saying so', async () => {
    const { error } = await refusal(join(root, 'read-only', 'run'));
    expect((error as Error).message).toBe(
      `--out ${join(root, 'read-only', 'run')}: cannot create files in ${join(root, 'read-only')} (permission denied)`,
    );
  });
});

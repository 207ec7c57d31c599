import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-atomic-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates missing folders and replaces a file whole, leaving no temporary file', async () => {
    const path = join(root, 'a', 'b', 'targets.bin');
    await writeFileAtomic(path, Uint8Array.of(1, 2, 3));
    await writeFileAtomic(path, 'replaced');
    expect(await readFile(path, 'utf8')).toBe('replaced');
    expect(await readdir(join(root, 'a', 'b'))).toEqual(['targets.bin']);
  });

  it('keeps the old file and removes its temporary file when the rename fails', async () => {
    const path = join(root, 'occupied');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'old');
    await expect(writeFileAtomic(path, 'new')).rejects.toThrow();
    expect(await readdir(root)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('old');
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomFlip } from '../random-flip.js';
import { grey } from '../testing.js';
import { writePreview } from './write-preview.js';

const samples = grey(
  [
    [0, 255, 0],
    [255, 0, 255],
  ],
  2,
);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-preview-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('writePreview', () => {
  it('writes the preview grid as a PNG, making the folder, with no temporary file left', async () => {
    const path = join(root, 'new', 'preview.png');
    await writePreview(path, samples, [randomFlip()], { augmentations: 3, scale: 1 });
    const png = decode(await readFile(path));
    // 4 columns of 3 + 2 gap pixels, plus the outer gap; 2 rows likewise.
    expect([png.width, png.height]).toEqual([4 * 5 + 2, 2 * 4 + 2]);
    expect(await readdir(join(root, 'new'))).toEqual(['preview.png']);
  });

  it('a failed write rejects, naming the path, and removes its temporary file', async () => {
    const folder = join(root, 'taken');
    const path = join(folder, 'preview.png');
    await mkdir(path, { recursive: true }); // a folder where the PNG should go: the rename fails
    await expect(writePreview(path, samples, [randomFlip()])).rejects.toThrow(path);
    expect(await readdir(folder)).toEqual(['preview.png']);
  });
});

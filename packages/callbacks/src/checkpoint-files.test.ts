import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from './checkpoint-files.js';
import { CallbackError } from './errors.js';
import { tf, tinyModel } from './testing/index.js';
import { cpuTestsWithTempDir } from './testing/suite.js';

const root = cpuTestsWithTempDir('fmnist-checkpoint-files-');

describe('saveCheckpoint', () => {
  it('reports a directory it cannot write as a CallbackError naming it, the file system error as cause', async () => {
    const file = join(root(), 'a-file');
    await writeFile(file, 'not a directory');
    const dir = join(file, 'checkpoint');
    const error = await saveCheckpoint(dir, tinyModel(tf.train.adam(0.01))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallbackError);
    expect((error as Error).message).toBe(`saveCheckpoint: cannot write the checkpoint ${dir}`);
    expect((error as Error).cause).toMatchObject({ code: expect.stringMatching(/^(ENOTDIR|EEXIST)$/) });
  });
});

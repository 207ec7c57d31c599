import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ImageBatch } from '../image-batch.js';
import { type PreviewOptions, previewPng } from '../preview.js';
import type { Transform } from '../transform.js';

/**
 * Writes {@link previewPng}'s grid to `path` via a temporary file and a rename, so `path` is never left
 * half written; a failed write removes its temporary file.
 */
export async function writePreview(
  path: string,
  samples: ImageBatch,
  pipeline: Transform | readonly Transform[],
  options?: PreviewOptions,
) {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, previewPng(samples, pipeline, options));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

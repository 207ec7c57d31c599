import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CallbackError } from './errors.js';

/** The file in every checkpoint that lists the SHA-256 of the others. */
export const CHECKSUMS_FILE = 'checksums.json';

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** `files` plus their checksums, to be written together. */
export function withChecksums(
  files: Record<string, Uint8Array | string>,
): Record<string, Uint8Array | string> {
  const sums = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)]));
  return { ...files, [CHECKSUMS_FILE]: `${JSON.stringify({ algorithm: 'sha256', files: sums }, null, 2)}\n` };
}

/**
 * Checks every file a checkpoint lists against its SHA-256 (a copy cut short, a full disk): throws a
 * `CallbackError` naming the first damaged or missing file. Checkpoints written before checksums existed
 * have no list and pass.
 */
export async function verifyCheckpoint(base: string): Promise<void> {
  let listed: { files: Record<string, string> };
  try {
    listed = JSON.parse(await readFile(join(base, CHECKSUMS_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new CallbackError(`${join(base, CHECKSUMS_FILE)}: unreadable checksum list`, { cause: error });
  }
  for (const [name, expected] of Object.entries(listed.files ?? {})) {
    const path = join(base, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new CallbackError(`${path}: missing from the checkpoint`, { cause: error });
    }
    if (sha256(bytes) !== expected) {
      throw new CallbackError(
        `${path}: damaged checkpoint file (${bytes.length} bytes whose SHA-256 differs from ${CHECKSUMS_FILE})`,
      );
    }
  }
}

import type { CheckpointFiles } from './checkpoint-store.js';
import { IoError } from './errors.js';

/** The file in every checkpoint that lists the SHA-256 of the others. */
export const CHECKSUMS_FILE = 'checksums.json';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Hex SHA-256 of `content` (a string as UTF-8), with WebCrypto: browsers and Node 20+ alike. */
async function sha256(content: Uint8Array | string): Promise<string> {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content;
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** `files` plus the list of their checksums, to be written together. */
export async function withChecksums(files: CheckpointFiles): Promise<CheckpointFiles> {
  const sums: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) sums[name] = await sha256(content);
  return { ...files, [CHECKSUMS_FILE]: `${JSON.stringify({ algorithm: 'sha256', files: sums }, null, 2)}\n` };
}

/**
 * Checks every file a checkpoint lists against its SHA-256 (a copy cut short, a full disk): throws an
 * `IoError` naming (with `where`) the first damaged or missing file. Checkpoints written before checksums
 * existed have no list and pass.
 */
export async function verifyFiles(
  files: Readonly<Record<string, Uint8Array>>,
  where: (file: string) => string,
): Promise<void> {
  const list = files[CHECKSUMS_FILE];
  if (list === undefined) return;
  let listed: { files?: Record<string, string> };
  try {
    listed = JSON.parse(decoder.decode(list));
  } catch (error) {
    throw new IoError(`${where(CHECKSUMS_FILE)}: unreadable checksum list`, { cause: error });
  }
  for (const [name, expected] of Object.entries(listed.files ?? {})) {
    const bytes = files[name];
    if (bytes === undefined) throw new IoError(`${where(name)}: missing from the checkpoint`);
    if ((await sha256(bytes)) !== expected) {
      throw new IoError(
        `${where(name)}: damaged checkpoint file (${bytes.length} bytes whose SHA-256 differs from ${CHECKSUMS_FILE})`,
      );
    }
  }
}

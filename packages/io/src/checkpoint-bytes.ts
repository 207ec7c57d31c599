import type { CheckpointFiles } from './checkpoint-store.js';
import { IoError } from './errors.js';

const encoder = new TextEncoder();

/**
 * Copies of a checkpoint's files as plain bytes (strings as UTF-8), checked before a store changes
 * anything: a content that is neither a string nor bytes is refused, naming it.
 */
export function checkpointBytes(
  files: CheckpointFiles,
  where: (file: string) => string,
): Map<string, Uint8Array> {
  const copies = new Map<string, Uint8Array>();
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'string') copies.set(file, encoder.encode(content));
    else if (content instanceof Uint8Array) copies.set(file, new Uint8Array(content));
    else throw new IoError(`${where(file)}: content must be a string or a Uint8Array, got ${typeof content}`);
  }
  return copies;
}

import { IoError } from './errors.js';

/** A checkpoint's files by name, as a store writes them. */
export type CheckpointFiles = Readonly<Record<string, Uint8Array | string>>;

/**
 * Where named checkpoints live: folders on disk (`fileSystemCheckpointStore` in `@fmnist/io/node`),
 * memory (`memoryCheckpointStore`), browsers' IndexedDB (`indexedDbCheckpointStore`). A store only keeps files; their layout and
 * integrity are `saveCheckpoint`'s and `loadCheckpoint`'s, the same for every store.
 */
export interface CheckpointStore {
  /**
   * Replaces checkpoint `name` with exactly `files`, all or nothing: until the new one is complete,
   * and when writing fails, `read` returns the previous one whole.
   */
  write(name: string, files: CheckpointFiles): Promise<void>;
  /** Checkpoint `name`'s files, or undefined when there is none. */
  read(name: string): Promise<Record<string, Uint8Array> | undefined>;
  has(name: string): Promise<boolean>;
  /** The names of the checkpoints held, sorted. */
  list(): Promise<string[]>;
  /** Removes checkpoint `name` (nothing to do when there is none). */
  remove(name: string): Promise<void>;
  /** Renames checkpoint `from` to `to`, replacing a checkpoint `to`; `from` must exist. */
  move(from: string, to: string): Promise<void>;
  /** Where checkpoint `name`, or its `file`, is, for messages: a path, a key. */
  describe(name: string, file?: string): string;
}

/**
 * Refuses a checkpoint name every store could not hold alike: empty, with a path separator, starting with
 * a dot (temporary folders do) or ending in `.old` (where a folder swap sets the previous one aside).
 */
export function checkCheckpointName(name: string): void {
  if (typeof name !== 'string' || !/^[^./\\\0][^/\\\0]*$/.test(name) || name.endsWith('.old'))
    throw new IoError(
      `checkpoint name ${JSON.stringify(name)} must be non-empty, without / or \\, not start with a dot nor end in .old`,
    );
}

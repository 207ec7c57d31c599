import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointStore, checkCheckpointName } from './checkpoint-store.js';
import { IoError } from './errors.js';
import { writeDirectoryAtomic } from './model-directory.js';

/** Where `writeDirectoryAtomic` sets the previous folder aside until the new one is in place. */
const ASIDE = '.old';

/**
 * Checkpoints as folders under `root` (`root/<name>/model.json`, …), each written by
 * `writeDirectoryAtomic`'s folder swap. A crash between its two renames leaves a checkpoint set aside as
 * `<name>.old`, where `read` finds it, as `resolveSavedDirectory` does.
 */
export function fileSystemCheckpointStore(root: string): CheckpointStore {
  if (typeof root !== 'string' || root === '')
    throw new IoError('fileSystemCheckpointStore: root must be a directory path');
  const folder = (name: string) => {
    checkCheckpointName(name);
    return join(root, name);
  };
  /** The folder holding checkpoint `name`, or undefined when there is none. */
  const locate = (name: string) => {
    const dir = folder(name);
    if (existsSync(dir)) return dir;
    return existsSync(`${dir}${ASIDE}`) ? `${dir}${ASIDE}` : undefined;
  };
  const removeFolders = async (dir: string) => {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}${ASIDE}`, { recursive: true, force: true });
  };
  return {
    write: async (name, files) => writeDirectoryAtomic(folder(name), files),
    async read(name) {
      const dir = locate(name);
      if (dir === undefined) return undefined;
      const files: Record<string, Uint8Array> = {};
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const bytes = await readFile(join(dir, entry.name));
        files[entry.name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      return files;
    },
    has: async (name) => locate(name) !== undefined,
    async list() {
      let entries: string[];
      try {
        entries = (await readdir(root, { withFileTypes: true }))
          .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
          .map((entry) => entry.name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const names = entries.map((name) => (name.endsWith(ASIDE) ? name.slice(0, -ASIDE.length) : name));
      return [...new Set(names)].filter((name) => name !== '').sort();
    },
    remove: async (name) => removeFolders(folder(name)),
    async move(from, to) {
      const source = locate(from);
      if (source === undefined) throw new IoError(`${folder(from)}: no checkpoint to move to ${folder(to)}`);
      const target = folder(to);
      if (target === folder(from)) return;
      // As writeDirectoryAtomic's swap: the target stays readable (set aside) until the source is in place.
      await rm(`${target}${ASIDE}`, { recursive: true, force: true });
      if (existsSync(target)) await rename(target, `${target}${ASIDE}`);
      await rename(source, target);
      await removeFolders(folder(from));
      await rm(`${target}${ASIDE}`, { recursive: true, force: true });
    },
    describe: (name, file) => {
      const dir = locate(name) ?? folder(name);
      return file === undefined ? dir : join(dir, file);
    },
  };
}

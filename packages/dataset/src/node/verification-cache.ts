import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

interface Entry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

const FILE_NAME = 'verified.json';

/**
 * Remembers which files already matched their hash (by path, size and mtime), so a load does not re-hash
 * 55 MB each time. A missing or unreadable record just means hashing again.
 */
export class VerificationCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;

  private constructor(private readonly dir: string | undefined) {}

  static async open(dir: string | undefined): Promise<VerificationCache> {
    const cache = new VerificationCache(dir);
    if (dir) {
      try {
        cache.entries = JSON.parse(await readFile(join(dir, FILE_NAME), 'utf8')) as Record<string, Entry>;
      } catch {
        cache.entries = {};
      }
    }
    return cache;
  }

  async isVerified(path: string, sha256: string): Promise<boolean> {
    const entry = this.entries[path];
    if (!entry || entry.sha256 !== sha256) return false;
    const info = await stat(path);
    return info.size === entry.size && info.mtimeMs === entry.mtimeMs;
  }

  async remember(path: string, sha256: string): Promise<void> {
    const info = await stat(path);
    this.entries[path] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
    this.dirty = true;
  }

  /** Best effort: a read-only cache dir only costs a re-hash next time. */
  async save(): Promise<void> {
    if (!this.dir || !this.dirty) return;
    try {
      await writeFileAtomic(join(this.dir, FILE_NAME), JSON.stringify(this.entries, null, 2));
      this.dirty = false;
    } catch {
      // not writable: nothing to remember
    }
  }
}

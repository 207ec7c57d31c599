import { constants } from 'node:fs';
import { access, lstat, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../../cli/exit-codes.js';

/** The kernel's interfaces, not places for files (and Node's recursive mkdir spins forever under /proc). */
const KERNEL_FILESYSTEMS = ['/proc', '/sys'];

/** Why a directory cannot be written, in words, by error code. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'a read-only filesystem',
  ENOSPC: 'no space left',
};

/**
 * Creates the run directory `out` (or takes an existing one) after checking it can be one; else a
 * `UsageError` naming `flag` (`--out`) and why: under /proc or /sys, a file in the way, a broken symbolic link, a
 * directory it may not write in. Missing directories are made one level at a time, not with Node's
 * recursive mkdir, which loops forever on some paths (`/proc/x/y`).
 */
export async function makeRunDirectory(out: string, flag = '--out'): Promise<void> {
  const path = resolve(out);
  const refuse = (why: string, cause?: unknown) => new UsageError(`${flag} ${out}: ${why}`, { cause });
  const kernel = KERNEL_FILESYSTEMS.find((root) => path === root || path.startsWith(root + sep));
  if (kernel) throw refuse(`under ${kernel}, a kernel filesystem, not a place for files`);
  const missing: string[] = [];
  let existing = path;
  while (!(await exists(existing))) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  const what = existing === path ? '' : `${existing} `;
  const target = await stat(existing).catch(() => undefined);
  if (!target) throw refuse(`${what}is a symbolic link to nothing`);
  if (!target.isDirectory()) throw refuse(`${what}is a file, not a directory`);
  const writable = (error: unknown, dir = existing) =>
    refuse(`cannot create files in ${dir} (${reason(error)})`, error);
  try {
    await access(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw writable(error);
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      // Another process (a sweep's worker sharing the store) made it meanwhile: as good as ours.
      const made = (error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir)).isDirectory();
      if (!made) throw writable(error, dirname(dir));
    }
  }
  // Root passes every permission check: a write shows what the filesystem itself allows.
  const probe = join(path, '.write-test');
  try {
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw writable(error, path);
  }
}

/** Whether anything, even a broken symbolic link, is at `path` (a file in the way answers ENOTDIR). */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return REASONS[code] ?? (code || (error as Error).message);
}

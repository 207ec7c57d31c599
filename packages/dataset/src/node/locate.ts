import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FILE_ROLES, type IdxDatasetSpec, type IdxFileRole } from '../spec.js';

/** `$XDG_CACHE_HOME/fmnist`, else `~/.cache/fmnist`. */
export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'fmnist');
}

export interface Place {
  dir: string;
  /** How this place was chosen, for messages: "dataDir option", "FASHION_MNIST_DIR", ... */
  origin: string;
}

export type FoundFiles = Record<IdxFileRole, string>;

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The paths of all four files in `dir` (plain IDX preferred over `.gz`), or the names that are missing. */
export async function findFiles(
  dir: string,
  spec: IdxDatasetSpec,
): Promise<{ files: FoundFiles } | { missing: string[] }> {
  const files: Partial<FoundFiles> = {};
  const missing: string[] = [];
  for (const role of FILE_ROLES) {
    const name = spec.files[role].file;
    const plain = join(dir, name);
    const gz = `${plain}.gz`;
    if (await exists(plain)) files[role] = plain;
    else if (await exists(gz)) files[role] = gz;
    else missing.push(`${name}[.gz]`);
  }
  return missing.length > 0 ? { missing } : { files: files as FoundFiles };
}

/** Places to look, in order: the option, the environment variable, the cache, system directories. */
export function placesToLook(spec: IdxDatasetSpec, dataDir: string | undefined, cacheDir: string): Place[] {
  const places: Place[] = [];
  if (dataDir) places.push({ dir: dataDir, origin: 'dataDir option' });
  const fromEnv = spec.envVar ? process.env[spec.envVar] : undefined;
  if (spec.envVar && fromEnv) places.push({ dir: fromEnv, origin: spec.envVar });
  places.push({ dir: join(cacheDir, spec.name), origin: 'cache' });
  for (const dir of spec.systemDirs ?? []) places.push({ dir, origin: 'system data' });
  return places;
}

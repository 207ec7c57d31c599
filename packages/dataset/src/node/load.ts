import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DatasetError } from '../errors.js';
import { parseIdx } from '../idx.js';
import { type ImageSet, toImageSet } from '../image-set.js';
import { FASHION_MNIST, FILE_ROLES, type IdxDatasetSpec, type IdxFileSpec } from '../spec.js';
import { writeFileAtomic } from './atomic-write.js';
import { type DownloadProgress, downloadToPart } from './download.js';
import { defaultCacheDir, type FoundFiles, findFiles, type Place, placesToLook } from './locate.js';
import { VerificationCache } from './verification-cache.js';

const gunzipAsync = promisify(gunzip);

export interface LoadOptions {
  /** A directory holding the four files (plain or `.gz`); searched first. */
  dataDir?: string;
  /** Where downloads and decompressed copies go. Default `$XDG_CACHE_HOME/fmnist` or `~/.cache/fmnist`. */
  cacheDir?: string;
  /** Download from the mirrors when no place has the files. Default true. */
  download?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** For tests and proxies. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Hash every file even if it was verified before. Default false. */
  rehash?: boolean;
  /** Look in `dataDir` only (then download, if allowed), not in the other places. Default false. */
  onlyDataDir?: boolean;
}

export interface LoadedDataset {
  train: ImageSet;
  test: ImageSet;
  /** Where the files were read from. */
  source: Place;
}

/** Loads Fashion-MNIST from the first place that has it, downloading into the cache when none does. */
export function loadFashionMnist(options: LoadOptions = {}): Promise<LoadedDataset> {
  return loadIdxDataset(FASHION_MNIST, options);
}

/** Loads any dataset of the MNIST layout described by `spec`. */
export async function loadIdxDataset(
  spec: IdxDatasetSpec,
  options: LoadOptions = {},
): Promise<LoadedDataset> {
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const datasetCache = join(cacheDir, spec.name);
  const verification = await VerificationCache.open(options.rehash ? undefined : cacheDir);
  const tried: string[] = [];
  try {
    if (options.onlyDataDir && !options.dataDir)
      throw new DatasetError('onlyDataDir needs the dataDir option');
    const places = placesToLook(spec, options.dataDir, cacheDir);
    for (const place of options.onlyDataDir ? places.slice(0, 1) : places) {
      options.signal?.throwIfAborted();
      const found = await findFiles(place.dir, spec);
      if ('missing' in found) {
        tried.push(`${place.dir} (${place.origin}): missing ${found.missing.join(', ')}`);
        continue;
      }
      const cacheCopyDir = resolve(place.dir) === datasetCache ? undefined : datasetCache;
      return { ...(await readAll(found.files, spec, verification, cacheCopyDir)), source: place };
    }
    if (spec.envVar && !process.env[spec.envVar] && !options.onlyDataDir)
      tried.push(`${spec.envVar}: not set`);
    if (options.download === false) {
      tried.push('download: disabled');
    } else {
      const errors = await downloadMissing(spec, datasetCache, options);
      if (errors.length === 0) {
        const found = await findFiles(datasetCache, spec);
        if ('files' in found) {
          return {
            ...(await readAll(found.files, spec, verification, undefined)),
            source: { dir: datasetCache, origin: 'download' },
          };
        }
      }
      tried.push(...errors.map((e) => `download: ${e}`));
    }
  } finally {
    await verification.save();
  }
  throw new DatasetError(
    `${spec.name} not found. Tried:\n  - ${tried.join('\n  - ')}\n` +
      'Get the data by any of: ' +
      (options.download === false ? 'allowing downloads (download: true); ' : '') +
      `${spec.systemDirs?.length ? `installing Debian's dataset-${spec.name} package (apt-get install dataset-${spec.name}); ` : ''}` +
      `putting the four files (.gz or plain) in a directory passed as dataDir${spec.envVar ? ` or named by ${spec.envVar}` : ''}.`,
  );
}

async function readAll(
  files: FoundFiles,
  spec: IdxDatasetSpec,
  verification: VerificationCache,
  cacheCopyDir: string | undefined,
): Promise<{ train: ImageSet; test: ImageSet }> {
  const bytes = await Promise.all(
    FILE_ROLES.map((role) => readVerified(files[role], spec.files[role], verification, cacheCopyDir)),
  );
  const [trainImages, trainLabels, testImages, testLabels] = bytes.map((b, i) =>
    parseIdx(b, files[FILE_ROLES[i]!]),
  );
  const classes = spec.classNames.length;
  return {
    train: toImageSet(trainImages!, trainLabels!, classes, [files.trainImages, files.trainLabels]),
    test: toImageSet(testImages!, testLabels!, classes, [files.testImages, files.testLabels]),
  };
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function decompress(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new DatasetError(`${path}: not valid gzip data (${(error as Error).message})`);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads, decompresses and checks one file. Compressed or out-of-cache sources get a plain copy in the
 * cache (written atomically), so later loads skip decompression.
 */
async function readVerified(
  path: string,
  file: IdxFileSpec,
  verification: VerificationCache,
  cacheCopyDir: string | undefined,
): Promise<Uint8Array> {
  const raw = await decompress(await readFile(path), path);
  if (file.sha256 && !(await verification.isVerified(path, file.sha256))) {
    checkHash(raw, file, path);
    await verification.remember(path, file.sha256);
  }
  if (cacheCopyDir) {
    const copy = join(cacheCopyDir, file.file);
    try {
      await writeFileAtomic(copy, raw);
      if (file.sha256) await verification.remember(copy, file.sha256);
    } catch {
      // A read-only cache only means decompressing again next time.
    }
  }
  return raw;
}

function checkHash(raw: Uint8Array, file: IdxFileSpec, path: string) {
  const found = sha256Hex(raw);
  if (found !== file.sha256) {
    throw new DatasetError(
      `${path}: SHA-256 of the decompressed data is ${found}, expected ${file.sha256} for ${file.file} ` +
        '(the file is corrupt, truncated or not this dataset; delete it to fetch it again)',
    );
  }
}

/** Downloads every file the cache lacks; returns one message per file that no mirror could supply. */
async function downloadMissing(
  spec: IdxDatasetSpec,
  datasetCache: string,
  options: LoadOptions,
): Promise<string[]> {
  const errors: string[] = [];
  const found = await findFiles(datasetCache, spec);
  for (const role of FILE_ROLES) {
    const file = spec.files[role];
    if ('files' in found || !found.missing.includes(`${file.file}[.gz]`)) continue;
    const attempts: string[] = [];
    for (const mirror of spec.mirrors) {
      options.signal?.throwIfAborted();
      const url = new URL(`${file.file}.gz`, mirror).toString();
      const part = join(datasetCache, `${file.file}.gz.part`);
      try {
        await downloadToPart(url, part, file.file, options);
        const raw = await decompress(await readFile(part), url);
        if (file.sha256) checkHash(raw, file, url);
        await writeFileAtomic(join(datasetCache, file.file), raw);
        await rm(part, { force: true });
        attempts.length = 0;
        break;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (error instanceof DatasetError && /SHA-256|gzip/.test(error.message))
          await rm(part, { force: true });
        attempts.push(`${url}: ${(error as Error).message}`);
      }
    }
    errors.push(...attempts);
  }
  return errors;
}

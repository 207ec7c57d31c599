import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeFixture, writeFixture } from '../testing/fixtures.js';
import { loadIdxDataset } from './load.js';

const fixture = makeFixture();
const { spec } = fixture;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-load-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.FMNIST_FIXTURE_DIR;
});

let dirCount = 0;
const freshDir = () => join(root, `d${dirCount++}`);

describe('loadIdxDataset from local places', () => {
  it('reads .gz files, checks them and returns both splits', async () => {
    const dir = freshDir();
    await writeFixture(dir, fixture);
    const data = await loadIdxDataset(spec, { dataDir: dir, cacheDir: freshDir(), download: false });
    expect(data.source).toEqual({ dir, origin: 'dataDir option' });
    expect(data.train).toMatchObject({ count: 40, height: 4, width: 4, channels: 1 });
    expect(data.test.count).toBe(20);
    expect(Array.from(data.train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
  });

  it('reads plain IDX files too', async () => {
    const dir = freshDir();
    await writeFixture(dir, fixture, false);
    const data = await loadIdxDataset(spec, { dataDir: dir, cacheDir: freshDir(), download: false });
    expect(data.test.count).toBe(20);
  });

  it('looks at dataDir, then the environment variable, then the cache, then system dirs', async () => {
    const envDir = freshDir();
    const cacheDir = freshDir();
    const systemDir = freshDir();
    await writeFixture(envDir, fixture);
    await writeFixture(join(cacheDir, spec.name), fixture);
    await writeFixture(systemDir, fixture);
    const withSystem = { ...spec, systemDirs: [systemDir] };
    process.env.FMNIST_FIXTURE_DIR = envDir;
    const missingDir = freshDir();
    expect(
      (await loadIdxDataset(withSystem, { dataDir: missingDir, cacheDir, download: false })).source.origin,
    ).toBe('FMNIST_FIXTURE_DIR');
    delete process.env.FMNIST_FIXTURE_DIR;
    expect((await loadIdxDataset(withSystem, { cacheDir, download: false })).source.origin).toBe('cache');
    const emptyCache = freshDir();
    expect((await loadIdxDataset(withSystem, { cacheDir: emptyCache, download: false })).source.origin).toBe(
      'system data',
    );
    // The system copy was decompressed into the cache, so the next load skips the system dir.
    expect((await readdir(join(emptyCache, spec.name))).sort()).toEqual(
      Object.values(spec.files)
        .map((f) => f.file)
        .sort(),
    );
    expect((await loadIdxDataset(withSystem, { cacheDir: emptyCache, download: false })).source.origin).toBe(
      'cache',
    );
  });

  it('looks nowhere else with onlyDataDir', async () => {
    const cacheDir = freshDir();
    await writeFixture(join(cacheDir, spec.name), fixture);
    const dataDir = freshDir();
    await expect(
      loadIdxDataset(spec, { dataDir, cacheDir, download: false, onlyDataDir: true }),
    ).rejects.toThrow(`${dataDir} (dataDir option): missing`);
    expect((await loadIdxDataset(spec, { dataDir, cacheDir, download: false })).source.origin).toBe('cache');
  });

  it('remembers verified files and only re-hashes when asked', async () => {
    const dir = freshDir();
    const cacheDir = freshDir();
    await writeFixture(dir, fixture, false);
    const path = join(dir, spec.files.trainImages.file);
    const stamp = new Date('2020-01-01T00:00:00Z');
    await utimes(path, stamp, stamp);
    await loadIdxDataset(spec, { dataDir: dir, cacheDir, download: false });
    // Corrupt one pixel while keeping size and mtime: the remembered check trusts it, a rehash does not.
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = 255 - bytes[bytes.length - 1]!;
    await writeFile(path, bytes);
    await utimes(path, stamp, stamp);
    await expect(loadIdxDataset(spec, { dataDir: dir, cacheDir, download: false })).resolves.toBeDefined();
    await expect(
      loadIdxDataset(spec, { dataDir: dir, cacheDir, download: false, rehash: true }),
    ).rejects.toThrow(`${path}: SHA-256 of the decompressed data is`);
  });

  it('names the file whose hash does not match', async () => {
    const dir = freshDir();
    await writeFixture(dir, fixture);
    const path = join(dir, `${spec.files.testLabels.file}.gz`);
    const labels = fixture.bytes.testLabels.slice();
    labels[10] = 9 - labels[10]!;
    await writeFile(path, gzipSync(labels));
    await expect(
      loadIdxDataset(spec, { dataDir: dir, cacheDir: freshDir(), download: false }),
    ).rejects.toThrow(new RegExp(`${path}: SHA-256 .* expected ${spec.files.testLabels.sha256}`));
  });

  it('names a file that is not gzip although it starts like gzip', async () => {
    const dir = freshDir();
    await writeFixture(dir, fixture);
    const path = join(dir, `${spec.files.trainLabels.file}.gz`);
    await writeFile(path, Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(
      loadIdxDataset(spec, { dataDir: dir, cacheDir: freshDir(), download: false }),
    ).rejects.toThrow(`${path}: not valid gzip data`);
  });

  it('lists every place it tried and how to get the data', async () => {
    const dataDir = freshDir();
    const error = await loadIdxDataset(
      { ...spec, systemDirs: ['/nonexistent/system'] },
      { dataDir, cacheDir: freshDir(), download: false },
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`${dataDir} (dataDir option): missing train-images-idx3-ubyte[.gz]`);
    expect(message).toContain('(cache): missing');
    expect(message).toContain('/nonexistent/system (system data): missing');
    expect(message).toContain('FMNIST_FIXTURE_DIR: not set');
    expect(message).toContain('download: disabled');
    expect(message).toMatch(/Get the data by any of/);
  });
});

describe('loadIdxDataset downloads', () => {
  let server: Server;
  let base: string;
  const requests: { url: string; range?: string }[] = [];
  let cutFirstResponse = false;

  beforeAll(async () => {
    const served = new Map<string, Buffer>();
    for (const [role, bytes] of Object.entries(fixture.bytes)) {
      served.set(`/good/${spec.files[role as keyof typeof fixture.bytes].file}.gz`, gzipSync(bytes));
    }
    server = createServer((req, res) => {
      requests.push({ url: req.url!, range: req.headers.range });
      const body = served.get(req.url!);
      if (!body) return res.writeHead(404).end();
      const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const part = body.subarray(start);
      res.writeHead(range ? 206 : 200, { 'content-length': part.length });
      if (cutFirstResponse) {
        // Send half, then drop the connection: the client keeps a .part to resume from.
        cutFirstResponse = false;
        res.write(part.subarray(0, Math.floor(part.length / 2)), () => res.destroy());
        return;
      }
      res.end(part);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('falls through a failing mirror, reports progress and leaves only verified files', async () => {
    const cacheDir = freshDir();
    const progress: number[] = [];
    const data = await loadIdxDataset(
      { ...spec, mirrors: [`${base}/missing/`, `${base}/good/`] },
      { cacheDir, onProgress: (p) => progress.push(p.receivedBytes) },
    );
    expect(data.source.origin).toBe('download');
    expect(data.train.count).toBe(40);
    expect(progress.length).toBeGreaterThanOrEqual(4);
    const files = await readdir(join(cacheDir, spec.name));
    expect(files.filter((f) => f.endsWith('.part') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('resumes an interrupted download with a Range request', async () => {
    const cacheDir = freshDir();
    cutFirstResponse = true;
    requests.length = 0;
    const options = {
      cacheDir,
      fetch: (url: string | URL | Request, init?: RequestInit) => fetch(url, init),
    };
    const good = { ...spec, mirrors: [`${base}/good/`] };
    await expect(loadIdxDataset(good, options)).rejects.toThrow(/not found/);
    const parts = (await readdir(join(cacheDir, spec.name))).filter((f) => f.endsWith('.part'));
    expect(parts).toHaveLength(1);
    const data = await loadIdxDataset(good, options);
    expect(data.train.count).toBe(40);
    expect(requests.some((r) => r.range?.startsWith('bytes='))).toBe(true);
  });

  it('says which URLs failed when no mirror has the data', async () => {
    await expect(
      loadIdxDataset({ ...spec, mirrors: [`${base}/missing/`] }, { cacheDir: freshDir() }),
    ).rejects.toThrow(`download: ${base}/missing/train-images-idx3-ubyte.gz: HTTP 404`);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixture } from '../testing/fixtures.js';
import { fetchIdxDataset } from './load.js';

// The browser build runs on fetch, DecompressionStream and Web Crypto, which Node 20 has too.
const fixture = makeFixture();
let server: Server;
let base: string;

beforeAll(async () => {
  const files = new Map<string, Buffer>();
  for (const [role, bytes] of Object.entries(fixture.bytes)) {
    const name = fixture.spec.files[role as keyof typeof fixture.bytes].file;
    files.set(`/data/${name}.gz`, gzipSync(bytes));
    files.set(`/plain/${name}`, Buffer.from(bytes));
  }
  files.set('/bad/train-images-idx3-ubyte.gz', gzipSync(Buffer.from(fixture.bytes.testImages)));
  server = createServer((req, res) => {
    const body = files.get(req.url!) ?? files.get(req.url!.replace('/bad/', '/data/'));
    if (!body) return res.writeHead(404, 'Not Found').end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('fetchIdxDataset ', () => {
  it('fetches, decompresses and verifies the four files', async () => {
    const progress: string[] = [];
    const data = await fetchIdxDataset(fixture.spec, {
      baseUrl: `${base}/data/`,
      onProgress: (p) => progress.push(p.file),
    });
    expect(data.train).toMatchObject({ count: 40, height: 4, width: 4 });
    expect(data.test.count).toBe(20);
    expect(new Set(progress).size).toBe(4);
  });

  it('reads plain files when told they are not compressed', async () => {
    const data = await fetchIdxDataset(fixture.spec, { baseUrl: `${base}/plain/`, compressed: false });
    expect(data.train.count).toBe(40);
  });

  it('names the URL whose hash does not match, and a missing file', async () => {
    await expect(fetchIdxDataset(fixture.spec, { baseUrl: `${base}/bad/` })).rejects.toThrow(
      `${base}/bad/train-images-idx3-ubyte.gz: SHA-256 of the decompressed data is`,
    );
    await expect(fetchIdxDataset(fixture.spec, { baseUrl: `${base}/nothing/` })).rejects.toThrow(
      `${base}/nothing/train-images-idx3-ubyte.gz: HTTP 404 Not Found`,
    );
    await expect(fetchIdxDataset(fixture.spec, {} as never)).rejects.toThrow(
      'the baseUrl option is required',
    );
  });
});

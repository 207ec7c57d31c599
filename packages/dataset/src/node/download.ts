import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatasetError } from '../errors.js';

export interface DownloadProgress {
  file: string;
  url: string;
  receivedBytes: number;
  /** Unknown when the server sends no length. */
  totalBytes?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  fetch?: typeof fetch;
}

/**
 * Downloads `url` into `partPath`. A `.part` file left by an interrupted download is continued with a
 * Range request when the server supports it, and restarted otherwise. The caller renames the finished file.
 */
export async function downloadToPart(
  url: string,
  partPath: string,
  file: string,
  options: DownloadOptions = {},
) {
  const doFetch = options.fetch ?? fetch;
  await mkdir(dirname(partPath), { recursive: true });
  const existing = await stat(partPath).then(
    (s) => s.size,
    () => 0,
  );
  const headers: Record<string, string> = existing > 0 ? { Range: `bytes=${existing}-` } : {};
  const response = await doFetch(url, { headers, signal: options.signal });
  if (response.status === 416) {
    // The part file is no prefix of what the server has now: start over.
    await response.body?.cancel();
    await rm(partPath, { force: true });
    return downloadToPart(url, partPath, file, options);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DatasetError(`HTTP ${response.status} ${response.statusText}`);
  }
  const resumed = response.status === 206 && existing > 0;
  const offset = resumed ? existing : 0;
  const length = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(length) && length > 0 ? offset + length : undefined;
  const out = createWriteStream(partPath, { flags: resumed ? 'a' : 'w' });
  let receivedBytes = offset;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      receivedBytes += chunk.length;
      options.onProgress?.({ file, url, receivedBytes, totalBytes });
    }
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  if (totalBytes !== undefined && receivedBytes !== totalBytes) {
    throw new DatasetError(`connection closed after ${receivedBytes} of ${totalBytes} bytes`);
  }
}

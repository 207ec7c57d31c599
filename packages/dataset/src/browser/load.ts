import { DatasetError } from '../errors.js';
import { parseIdx } from '../idx.js';
import { type ImageSet, toImageSet } from '../image-set.js';
import { FASHION_MNIST, FILE_ROLES, type IdxDatasetSpec } from '../spec.js';

export interface BrowserLoadProgress {
  file: string;
  url: string;
  receivedBytes: number;
  totalBytes?: number;
}

export interface BrowserLoadOptions {
  /** Where the four files are served, as `<file>.gz` (or plain `<file>` when `compressed` is false). */
  baseUrl: string;
  compressed?: boolean;
  /** Check SHA-256 of each file (Web Crypto). Default true. */
  verify?: boolean;
  onProgress?: (progress: BrowserLoadProgress) => void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** Browser build: loads Fashion-MNIST from a base URL with `fetch` and `DecompressionStream`. */
export function fetchFashionMnist(options: BrowserLoadOptions): Promise<{ train: ImageSet; test: ImageSet }> {
  return fetchIdxDataset(FASHION_MNIST, options);
}

export async function fetchIdxDataset(
  spec: IdxDatasetSpec,
  options: BrowserLoadOptions,
): Promise<{ train: ImageSet; test: ImageSet }> {
  if (!options?.baseUrl) {
    throw new DatasetError(
      'fetchFashionMnist: the baseUrl option is required: where the IDX files are served',
    );
  }
  const bytes = await Promise.all(FILE_ROLES.map((role) => fetchFile(spec, role, options)));
  const names = FILE_ROLES.map((role) => spec.files[role].file);
  const [trainImages, trainLabels, testImages, testLabels] = bytes.map((b, i) => parseIdx(b, names[i]));
  const classes = spec.classNames.length;
  return {
    train: toImageSet(trainImages!, trainLabels!, classes, [names[0]!, names[1]!]),
    test: toImageSet(testImages!, testLabels!, classes, [names[2]!, names[3]!]),
  };
}

async function fetchFile(
  spec: IdxDatasetSpec,
  role: (typeof FILE_ROLES)[number],
  options: BrowserLoadOptions,
): Promise<Uint8Array> {
  const file = spec.files[role];
  const compressed = options.compressed ?? true;
  const url = new URL(`${file.file}${compressed ? '.gz' : ''}`, options.baseUrl).toString();
  const response = await (options.fetch ?? fetch)(url, { signal: options.signal });
  if (!response.ok || !response.body)
    throw new DatasetError(`${url}: HTTP ${response.status} ${response.statusText}`);
  const totalBytes = Number(response.headers.get('content-length')) || undefined;
  let receivedBytes = 0;
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        receivedBytes += chunk.length;
        options.onProgress?.({ file: file.file, url, receivedBytes, totalBytes });
        controller.enqueue(chunk);
      },
    }),
  );
  const stream = compressed
    ? counted.pipeThrough(
        new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>,
      )
    : counted;
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  if (file.sha256 && options.verify !== false) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
    const found = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    if (found !== file.sha256) {
      throw new DatasetError(`${url}: SHA-256 of the decompressed data is ${found}, expected ${file.sha256}`);
    }
  }
  return raw;
}

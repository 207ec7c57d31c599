import { fetchFashionMnist, type ImageSet } from '@fmnist/dataset';
import { cachedFetch } from './cached-fetch.js';

export interface LoadedDataset {
  train: ImageSet;
  test: ImageSet;
  /** Files answered from the browser's cache (4: nothing downloaded). */
  cachedFiles: number;
}

/**
 * Fashion-MNIST from `baseUrl` (`<file>.gz`), gunzipped, each file's SHA-256 checked against
 * @fmnist/dataset's constants, kept in Cache Storage; a failure empties the cache so a retry downloads again.
 */
export async function loadDataset(
  baseUrl: string,
  onProgress: (message: string) => void,
): Promise<LoadedDataset> {
  const cache = cachedFetch();
  // The four files download at once: when one fails, the others' progress must not hide its message.
  let failed = false;
  try {
    const { train, test } = await fetchFashionMnist({
      baseUrl: new URL(baseUrl, document.baseURI).href,
      fetch: cache.fetch,
      onProgress: ({ file, receivedBytes, totalBytes }) => {
        if (failed) return;
        onProgress(
          `${file}: ${(receivedBytes / 1e6).toFixed(1)}${totalBytes ? ` of ${(totalBytes / 1e6).toFixed(1)}` : ''} MB`,
        );
      },
    });
    return { train, test, cachedFiles: cache.hits() };
  } catch (error) {
    failed = true;
    await cache.forget();
    throw error;
  }
}

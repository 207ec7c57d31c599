/** Cache Storage bucket holding the dataset's `.gz` files: a second visit downloads nothing. */
export const DATA_CACHE = 'fmnist-data-v1';

/**
 * A `fetch` that answers from Cache Storage when it can and stores what it downloads. `hits` counts the
 * answers from the cache (the page shows it, the tests read it). Without Cache Storage (an insecure
 * origin) it is plain `fetch`.
 */
export function cachedFetch(): { fetch: typeof fetch; hits: () => number; forget: () => Promise<void> } {
  let hits = 0;
  // Once forgotten, downloads still under way are kept no more (they would create the cache again).
  let forgotten = false;
  const open = () => (globalThis.caches && !forgotten ? caches.open(DATA_CACHE) : Promise.resolve(undefined));
  const cached: typeof fetch = async (input, init) => {
    const cache = await open();
    const request = new Request(input);
    const saved = await cache?.match(request);
    if (saved) {
      hits++;
      return saved;
    }
    const response = await fetch(request, init);
    if (response.ok && cache && !forgotten) await cache.put(request, response.clone());
    return response;
  };
  return {
    fetch: cached,
    hits: () => hits,
    // A download that failed to verify must not be served again.
    forget: async () => {
      forgotten = true;
      if (globalThis.caches) await caches.delete(DATA_CACHE);
    },
  };
}

import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IoError } from './errors.js';
import { indexedDbCheckpointStore } from './indexed-db-checkpoint-store.js';
import { cpuTests } from './testing/models.js';
import { checkpointStoreContract } from './testing/store-contract.js';

cpuTests();

// fake-indexeddb: the IndexedDB of the spec in memory, for speed; store.browser.test.ts runs Chromium's.
let databases = 0;
checkpointStoreContract('indexedDbCheckpointStore', () =>
  indexedDbCheckpointStore(`contract-${databases++}`, { indexedDB: new IDBFactory() }),
);

describe('indexedDbCheckpointStore', () => {
  it('names checkpoints and files as indexeddb:// keys', () => {
    const store = indexedDbCheckpointStore('run', { indexedDB: new IDBFactory() });
    expect(store.describe('last', 'weights.bin')).toBe('indexeddb://run/last/weights.bin');
  });

  it('keeps checkpoints across connections to the same database', async () => {
    const factory = new IDBFactory();
    await indexedDbCheckpointStore('kept', { indexedDB: factory }).write('last', { 'a.txt': 'a' });
    const again = indexedDbCheckpointStore('kept', { indexedDB: factory });
    expect(await again.list()).toEqual(['last']);
    expect(new TextDecoder().decode((await again.read('last'))?.['a.txt'])).toBe('a');
  });

  it('turns a quota error into an IoError saying storage is full, keeping the previous checkpoint', async () => {
    const factory = new IDBFactory();
    const store = indexedDbCheckpointStore('full', { indexedDB: factory });
    await store.write('last', { 'a.txt': 'first' });
    // What a browser does when the origin's quota is used up: the put's transaction aborts.
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      const attempt = store.write('last', { 'a.txt': 'second' });
      await expect(attempt).rejects.toThrow(IoError);
      await expect(attempt).rejects.toThrow(
        'writing indexeddb://full/last: storage is full (the browser refused more space for IndexedDB); the checkpoint was not saved',
      );
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(new TextDecoder().decode((await store.read('last'))?.['a.txt'])).toBe('first');
  });

  it('says so when there is no IndexedDB', async () => {
    const store = indexedDbCheckpointStore('none', { indexedDB: undefined });
    const original = globalThis.indexedDB;
    expect(original).toBeUndefined();
    await expect(store.list()).rejects.toThrow('indexeddb://none: IndexedDB is not available here');
  });
});

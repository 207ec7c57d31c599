import { checkpointBytes } from './checkpoint-bytes.js';
import { type CheckpointStore, checkCheckpointName } from './checkpoint-store.js';
import { IoError } from './errors.js';

export interface IndexedDbCheckpointStoreOptions {
  /** The IndexedDB to use; default `globalThis.indexedDB` (pass one for tests, e.g. fake-indexeddb's). */
  indexedDB?: IDBFactory;
}

/** The object store holding one record per checkpoint: its name → `{ files }`. */
const CHECKPOINTS = 'checkpoints';
const VERSION = 1;

interface CheckpointRecord {
  files: Record<string, Uint8Array>;
}

const isQuotaError = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'QuotaExceededError' ||
  /quota/i.test((error as { message?: string } | null)?.message ?? '');

/**
 * Checkpoints in the browser's IndexedDB, database `name`: each checkpoint is one record, written,
 * moved and removed in one transaction, so a reload or a closed tab during a write leaves the previous
 * checkpoint whole. A write refused for lack of space fails with an `IoError` saying storage is full
 * (the caller can train on without checkpoints). Works with `saveRotating`, `loadNewest` and the run
 * checkpoints of `@fmnist/training`, whose SHA-256 checks apply here as on disk.
 */
export function indexedDbCheckpointStore(
  name: string,
  options: IndexedDbCheckpointStoreOptions = {},
): CheckpointStore {
  if (typeof name !== 'string' || name === '')
    throw new IoError('indexedDbCheckpointStore: name must be a non-empty database name');
  const describe = (checkpoint: string, file?: string) =>
    `indexeddb://${name}/${checkpoint}${file === undefined ? '' : `/${file}`}`;
  let opened: Promise<IDBDatabase> | undefined;

  const open = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = options.indexedDB ?? globalThis.indexedDB;
      if (!factory) {
        reject(new IoError(`indexeddb://${name}: IndexedDB is not available here`));
        return;
      }
      const request = factory.open(name, VERSION);
      request.onupgradeneeded = () => request.result.createObjectStore(CHECKPOINTS);
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the database: let it, and open again on the next call.
        db.onversionchange = () => {
          db.close();
          opened = undefined;
        };
        resolve(db);
      };
      request.onerror = () =>
        reject(new IoError(`indexeddb://${name}: cannot open the database`, { cause: request.error }));
      request.onblocked = () =>
        reject(
          new IoError(`indexeddb://${name}: the database is blocked by another tab holding an older version`),
        );
    });
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };

  /** Runs `work` in one transaction and resolves when it commits; a failure names `what`. */
  const transact = async <T>(
    mode: IDBTransactionMode,
    what: string,
    work: (store: IDBObjectStore, done: (value: T) => void, refuse: (error: IoError) => void) => void,
  ): Promise<T> => {
    const db = await open();
    return new Promise<T>((resolve, reject) => {
      let result: T;
      let failure: IoError | undefined;
      const tx = db.transaction(CHECKPOINTS, mode);
      const fail = (error: unknown) => {
        if (isQuotaError(error))
          return new IoError(
            `${what}: storage is full (the browser refused more space for IndexedDB); the checkpoint was not saved`,
            { cause: error },
          );
        return new IoError(`${what}: IndexedDB failed`, { cause: error });
      };
      tx.oncomplete = () => (failure ? reject(failure) : resolve(result));
      tx.onabort = () => reject(failure ?? fail(tx.error));
      const refuse = (error: IoError) => {
        failure = error;
        tx.abort();
      };
      try {
        work(
          tx.objectStore(CHECKPOINTS),
          (value) => {
            result = value;
          },
          refuse,
        );
      } catch (error) {
        refuse(fail(error));
      }
    });
  };

  const get = (
    store: IDBObjectStore,
    checkpoint: string,
    then: (record: CheckpointRecord | undefined) => void,
  ) => {
    const request = store.get(checkpoint);
    request.onsuccess = () => then(request.result as CheckpointRecord | undefined);
  };

  return {
    async write(checkpoint, files) {
      checkCheckpointName(checkpoint);
      const record: CheckpointRecord = {
        files: Object.fromEntries(checkpointBytes(files, (file) => describe(checkpoint, file))),
      };
      // One put in one transaction: IndexedDB commits it whole or not at all.
      await transact<void>('readwrite', `writing ${describe(checkpoint)}`, (store) => {
        store.put(record, checkpoint);
      });
    },
    async read(checkpoint) {
      checkCheckpointName(checkpoint);
      return transact<Record<string, Uint8Array> | undefined>(
        'readonly',
        `reading ${describe(checkpoint)}`,
        (store, done) => get(store, checkpoint, (record) => done(record?.files)),
      );
    },
    async has(checkpoint) {
      checkCheckpointName(checkpoint);
      return transact<boolean>('readonly', `reading ${describe(checkpoint)}`, (store, done) => {
        const request = store.getKey(checkpoint);
        request.onsuccess = () => done(request.result !== undefined);
      });
    },
    async list() {
      const keys = await transact<IDBValidKey[]>('readonly', `listing indexeddb://${name}`, (store, done) => {
        const request = store.getAllKeys();
        request.onsuccess = () => done(request.result);
      });
      return keys.map(String).sort();
    },
    async remove(checkpoint) {
      checkCheckpointName(checkpoint);
      await transact<void>('readwrite', `removing ${describe(checkpoint)}`, (store) => {
        store.delete(checkpoint);
      });
    },
    async move(from, to) {
      checkCheckpointName(from);
      checkCheckpointName(to);
      // Read, write and delete in one transaction: a reload part way leaves `from` where it was.
      await transact<void>('readwrite', `moving ${describe(from)} to ${describe(to)}`, (store, _, refuse) => {
        get(store, from, (record) => {
          if (!record)
            return refuse(new IoError(`${describe(from)}: no checkpoint to move to ${describe(to)}`));
          store.put(record, to);
          if (from !== to) store.delete(from);
        });
      });
    },
    describe,
  };
}

// The page of the IndexedDB store's Chromium tests: the store's methods by name, and a model to save.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { indexedDbCheckpointStore } from '../../indexed-db-checkpoint-store.js';
import { loadNewest, saveRotating } from '../../rotating-checkpoints.js';

type Sent = string | { bytes: number[] } | unknown;
type Method = 'write' | 'read' | 'has' | 'list' | 'remove' | 'move';

/** Bytes travel as number arrays; anything else as it is (a bad content must reach the store). */
const received = (files: Record<string, Sent>) =>
  Object.fromEntries(
    Object.entries(files).map(([file, content]) => [
      file,
      content && typeof content === 'object' && 'bytes' in content
        ? Uint8Array.from(content.bytes as number[])
        : content,
    ]),
  );

async function storeCall(db: string, method: Method, args: unknown[]) {
  const store = indexedDbCheckpointStore(db);
  try {
    const value =
      method === 'write'
        ? await store.write(args[0] as string, received(args[1] as Record<string, Sent>) as never)
        : await (store[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    if (method === 'read' && value)
      return {
        value: Object.fromEntries(
          Object.entries(value as Record<string, Uint8Array>).map(([f, b]) => [f, Array.from(b)]),
        ),
      };
    return { value };
  } catch (error) {
    return { error: { name: (error as Error).name, message: (error as Error).message } };
  }
}

/** A dense model whose weights all equal `value`; `units` sets its size. */
function model(units: number, value: number) {
  const m = tfl.sequential({ layers: [tfl.layers.dense({ units, inputShape: [units] })] });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  tf.tidy(() => m.setWeights(m.getWeights().map((w) => tf.fill(w.shape, value))));
  return m;
}

/** Saves a small checkpoint (epoch 1) as `last`. */
async function saveFirst(db: string) {
  await saveRotating(indexedDbCheckpointStore(db), model(8, 1), { state: { epoch: 1 } });
}

/**
 * Starts saving a large checkpoint (epoch 2) and holds its transaction open once the checkpoint's record
 * is put, so the test can reload the page in the middle of the write; the title says when.
 */
function saveSecondAndHang(db: string) {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    const request = put.apply(this, args);
    if (args[1] === 'last') {
      // Requests chained forever keep the transaction from committing until the page goes away.
      const spin = () => {
        this.get('none').onsuccess = spin;
      };
      spin();
      document.title = 'writing';
    }
    return request;
  };
  void saveRotating(indexedDbCheckpointStore(db), model(1000, 2), { state: { epoch: 2 } });
}

/** What `loadNewest` finds: which checkpoint, its state, and the weights it loaded (all alike). */
async function loadAfterReload(db: string) {
  const target = model(8, 0);
  const loaded = await loadNewest<{ epoch: number }>(indexedDbCheckpointStore(db), target);
  const values = new Set(target.getWeights().flatMap((w) => Array.from(w.dataSync())));
  return {
    name: loaded?.name,
    state: loaded?.state,
    values: [...values],
    list: await indexedDbCheckpointStore(db).list(),
  };
}

Object.assign(globalThis, { storeCall, saveFirst, saveSecondAndHang, loadAfterReload });
document.body.dataset.ready = 'true';

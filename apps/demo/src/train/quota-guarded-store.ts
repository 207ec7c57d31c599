import type { CheckpointStore } from '@fmnist/io';

/** Whether `error` (or one of its causes) is the browser saying storage is full. */
export function isQuotaError(error: unknown): boolean {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof DOMException && e.name === 'QuotaExceededError') return true;
    if (e instanceof Error && /quota/i.test(e.message)) return true;
  }
  return false;
}

/**
 * `store`, except that once the browser refuses a write for want of space, checkpointing stops: that write
 * and every later write or move succeed without storing anything (`onQuota` is told once), so training goes
 * on and the checkpoints already stored stay as they were. `onWrite` hears of every stored write.
 */
export function quotaGuardedStore(
  store: CheckpointStore,
  { onQuota, onWrite }: { onQuota: (error: unknown) => void; onWrite: (name: string) => void },
): CheckpointStore & { readonly full: boolean } {
  let full = false;
  const guarded = async (write: () => Promise<void>, name: string) => {
    if (full) return;
    try {
      await write();
      onWrite(name);
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      full = true;
      onQuota(error);
    }
  };
  return {
    get full() {
      return full;
    },
    write: (name, files) => guarded(() => store.write(name, files), name),
    move: (from, to) => (full ? Promise.resolve() : store.move(from, to)),
    read: (name) => store.read(name),
    has: (name) => store.has(name),
    list: () => store.list(),
    remove: (name) => store.remove(name),
    describe: (name, file) => store.describe(name, file),
  };
}

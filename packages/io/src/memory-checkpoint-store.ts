import { checkpointBytes } from './checkpoint-bytes.js';
import { type CheckpointStore, checkCheckpointName } from './checkpoint-store.js';
import { IoError } from './errors.js';

/**
 * Checkpoints in memory, for tests and short runs, and the model of a browser store: each checkpoint is
 * replaced in one assignment once its files are copied, so a failed write leaves the previous one.
 */
export function memoryCheckpointStore(): CheckpointStore {
  const checkpoints = new Map<string, Map<string, Uint8Array>>();
  const describe = (name: string, file?: string) => `memory:${name}${file === undefined ? '' : `/${file}`}`;
  return {
    async write(name, files) {
      checkCheckpointName(name);
      checkpoints.set(
        name,
        checkpointBytes(files, (file) => describe(name, file)),
      );
    },
    async read(name) {
      checkCheckpointName(name);
      const files = checkpoints.get(name);
      return files && Object.fromEntries([...files].map(([file, bytes]) => [file, bytes.slice()]));
    },
    async has(name) {
      checkCheckpointName(name);
      return checkpoints.has(name);
    },
    async list() {
      return [...checkpoints.keys()].sort();
    },
    async remove(name) {
      checkCheckpointName(name);
      checkpoints.delete(name);
    },
    async move(from, to) {
      checkCheckpointName(from);
      checkCheckpointName(to);
      const files = checkpoints.get(from);
      if (!files) throw new IoError(`${describe(from)}: no checkpoint to move to ${describe(to)}`);
      checkpoints.set(to, files);
      if (from !== to) checkpoints.delete(from);
    },
    describe,
  };
}

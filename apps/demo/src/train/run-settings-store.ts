import type { CheckpointStore } from '@fmnist/io';
import { RUN_CHECKPOINTS } from '@fmnist/training';
import type { RunSettings } from './protocol.js';

/** The file each of a run's checkpoints carries its settings in (beside the files RunProgress writes). */
const SETTINGS_FILE = 'run-settings.json';

/**
 * `store`, every checkpoint written with `settings` in it: the recipe overrides (batch size, augmentation)
 * and the data a run trains on travel with its weights, so "Resume" trains as the run did.
 */
export function withRunSettings(store: CheckpointStore, settings: RunSettings): CheckpointStore {
  const json = JSON.stringify(settings);
  return {
    write: (name, files) => store.write(name, { ...files, [SETTINGS_FILE]: json }),
    move: (from, to) => store.move(from, to),
    read: (name) => store.read(name),
    has: (name) => store.has(name),
    list: () => store.list(),
    remove: (name) => store.remove(name),
    describe: (name, file) => store.describe(name, file),
  };
}

/** The settings the run's newest checkpoint holds; undefined when there is none or it holds none. */
export async function checkpointRunSettings(store: CheckpointStore): Promise<RunSettings | undefined> {
  const bytes = (await store.read(RUN_CHECKPOINTS.last))?.[SETTINGS_FILE];
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as RunSettings) : undefined;
}

import { join } from 'node:path';
import type { CheckpointStore } from '@fmnist/io';
import { fileSystemCheckpointStore } from '@fmnist/io/node';

/** The folder of a run directory that holds its checkpoints (`last`, `previous`, `best`). */
const CHECKPOINTS_FOLDER = 'checkpoints';

/** The checkpoints of the run in folder `runDir`, as folders `runDir/checkpoints/<name>`. */
export function runCheckpointStore(runDir: string): CheckpointStore {
  return fileSystemCheckpointStore(join(runDir, CHECKPOINTS_FOLDER));
}

// Works in browsers and Node alike; saving and loading folders is in ./node.
export {
  loadCheckpoint,
  loadCheckpointTensors,
  saveCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export { CHECKSUMS_FILE } from './checkpoint-integrity.js';
export { STATE_FILE } from './checkpoint-layout.js';
export type { CheckpointFiles, CheckpointStore } from './checkpoint-store.js';
export type { SaveCheckpointOptions } from './encode-checkpoint.js';
export { IoError } from './errors.js';
export {
  type IndexedDbCheckpointStoreOptions,
  indexedDbCheckpointStore,
} from './indexed-db-checkpoint-store.js';
export { memoryCheckpointStore } from './memory-checkpoint-store.js';
export { modelArtifactsToFiles } from './model-artifacts.js';
export {
  type LoadedCheckpoint,
  loadNewest,
  type RotationNames,
  saveRotating,
} from './rotating-checkpoints.js';

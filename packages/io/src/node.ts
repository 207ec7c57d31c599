// Node only: tfjs models and checkpoints in folders on disk, and file:// URLs for them.
export { registerFileSystemRouter } from './file-router.js';
export { fileSystemCheckpointStore } from './file-system-checkpoint-store.js';
export {
  directoryLoadHandler,
  directorySaveHandler,
  resolveSavedDirectory,
  writeDirectoryAtomic,
} from './model-directory.js';
export { writeFileAtomic } from './write-file-atomic.js';

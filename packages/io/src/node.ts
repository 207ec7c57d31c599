// Node only: tfjs models in folders on disk, and file:// URLs for them.
export { registerFileSystemRouter } from './file-router.js';
export {
  directoryLoadHandler,
  directorySaveHandler,
  resolveSavedDirectory,
  writeDirectoryAtomic,
} from './model-directory.js';
export { writeFileAtomic } from './write-file-atomic.js';

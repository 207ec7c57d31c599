export { IoError } from './errors.js';
export { registerFileSystemRouter } from './file-router.js';
export {
  directoryLoadHandler,
  directorySaveHandler,
  modelArtifactsToFiles,
  resolveSavedDirectory,
  writeDirectoryAtomic,
} from './model-directory.js';

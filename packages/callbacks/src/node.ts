// Node only: callbacks and helpers that write files (checkpoints, CSV and JSON logs, TensorBoard).
export { BackupAndRestore, type BackupAndRestoreArgs, backupAndRestore } from './backup-and-restore.js';
export { CsvLogger, type CsvLoggerArgs, csvLogger } from './csv-logger.js';
// Deprecated for one release: checkpoints are @fmnist/io's (saveCheckpoint(store, name, model), …).
export {
  CHECKSUMS_FILE,
  loadCheckpoint,
  loadCheckpointTensors,
  type SaveCheckpointOptions,
  saveCheckpoint,
  verifyCheckpoint,
} from './deprecated-checkpoints.js';
export { JsonHistory, type JsonHistoryArgs, jsonHistory } from './json-history.js';
export { ModelCheckpoint, type ModelCheckpointArgs, modelCheckpoint } from './model-checkpoint.js';
export { EventFileWriter, readEventFile } from './tensorboard/event-file.js';
export {
  TensorBoard,
  type TensorBoardArgs,
  type TensorBoardImages,
  tensorBoard,
} from './tensorboard/tensorboard-callback.js';

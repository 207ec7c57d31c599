// Node only: callbacks and helpers that write files (checkpoints, CSV and JSON logs, TensorBoard).
export { BackupAndRestore, type BackupAndRestoreArgs, backupAndRestore } from './backup-and-restore.js';
export {
  loadCheckpoint,
  loadCheckpointTensors,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from './checkpoint-files.js';
export { CHECKSUMS_FILE, verifyCheckpoint } from './checkpoint-integrity.js';
export { CsvLogger, type CsvLoggerArgs, csvLogger } from './csv-logger.js';
export { JsonHistory, type JsonHistoryArgs, jsonHistory } from './json-history.js';
export { ModelCheckpoint, type ModelCheckpointArgs, modelCheckpoint } from './model-checkpoint.js';
export { EventFileWriter, readEventFile } from './tensorboard/event-file.js';
export {
  TensorBoard,
  type TensorBoardArgs,
  type TensorBoardImages,
  tensorBoard,
} from './tensorboard/tensorboard-callback.js';

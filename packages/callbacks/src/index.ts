export {
  loadCheckpoint,
  loadCheckpointTensors,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from './checkpoint-files.js';
export { CHECKSUMS_FILE, verifyCheckpoint } from './checkpoint-integrity.js';
export { EarlyStopping, type EarlyStoppingArgs, earlyStopping } from './early-stopping.js';
export { CallbackError } from './errors.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
export {
  CsvLogger,
  type CsvLoggerArgs,
  csvLogger,
  JsonHistory,
  jsonHistory,
  TerminateOnNaN,
  terminateOnNaN,
} from './loggers.js';
export { ModelCheckpoint, type ModelCheckpointArgs, modelCheckpoint } from './model-checkpoint.js';
export type { Mode } from './monitor.js';
export { formatPath } from './path-template.js';
export { ProgressBar, type ProgressBarArgs, progressBar } from './progress-bar.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauArgs, reduceLROnPlateau } from './reduce-lr-on-plateau.js';
export {
  type CallbackState,
  isResumable,
  type ResumableCallback,
} from './resumable.js';
export {
  cosineDecay,
  LearningRateScheduler,
  learningRateScheduler,
  oneCycle,
  StepSchedule,
} from './schedule-callbacks.js';
export { type CosineDecayOptions, cosineDecayLR, type OneCycleOptions, oneCycleLR } from './schedules.js';
export { EventFileWriter, readEventFile } from './tensorboard/event-file.js';
export {
  decodeEvent,
  encodeEvent,
  type Histogram,
  histogramOf,
  type SummaryImage,
  type SummaryValue,
  type TensorBoardEvent,
} from './tensorboard/events.js';
export {
  TensorBoard,
  type TensorBoardArgs,
  type TensorBoardImages,
  tensorBoard,
} from './tensorboard/tensorboard-callback.js';
export { WeightsEMA, type WeightsEMAArgs, weightsEMA } from './weights-ema.js';

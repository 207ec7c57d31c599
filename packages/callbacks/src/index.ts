// Works in browsers and Node alike; callbacks that write files are in ./node.
export { EarlyStopping, type EarlyStoppingArgs, earlyStopping } from './early-stopping.js';
export { CallbackError } from './errors.js';
export { getLearningRate, setLearningRate } from './learning-rate.js';
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
export {
  decodeEvent,
  encodeEvent,
  type Histogram,
  histogramOf,
  type SummaryImage,
  type SummaryValue,
  type TensorBoardEvent,
} from './tensorboard/events.js';
export { TerminateOnNaN, type TerminateOnNaNArgs, terminateOnNaN } from './terminate-on-nan.js';
export { WeightsEMA, type WeightsEMAArgs, weightsEMA } from './weights-ema.js';

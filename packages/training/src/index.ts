// Works in browsers and Node alike: the losses. Data-parallel training on worker threads is in ./node.
export { TrainingError } from './errors.js';
export {
  correctPredictions,
  LOSS_TYPES,
  type LossSpec,
  type LossType,
  lossFunction,
  resolveLoss,
} from './losses.js';

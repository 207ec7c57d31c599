export {
  type LoadClassifierOptions,
  loadClassifier,
  loadClassifierFrom,
  type ShippedWeights,
} from './load-classifier.js';
export * from './shared.js';

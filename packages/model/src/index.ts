export {
  type LoadClassifierOptions,
  loadClassifier,
  loadClassifierFrom,
  type ShippedModel,
} from './load-classifier.js';
export * from './shared.js';

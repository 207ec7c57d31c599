export {
  type LoadClassifierOptions,
  loadClassifier,
  loadClassifierFrom,
  SHIPPED_ARCHITECTURES,
  type ShippedArchitecture,
  type ShippedModel,
  type ShippedWeights,
} from './load-classifier.js';
export * from './shared.js';

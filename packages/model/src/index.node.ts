export { type LoadClassifierOptions, loadClassifierFrom, type ShippedWeights } from './load-classifier.js';
export { decodeImage } from './node/decode-image.js';
export { loadClassifier, NodeClassifier, shippedWeightsDir } from './node/load.js';
export * from './shared.js';

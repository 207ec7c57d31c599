export { type LoadClassifierOptions, loadClassifier, loadClassifierFrom } from './load-classifier.js';
export * from './shared.js';

// Node only: the classifier from a directory or the weights shipped in this package (read from disk),
// and PNG/JPEG bytes as input.
export { decodeImage } from './node/decode-image.js';
export { loadClassifier, NodeClassifier, shippedWeightsDir } from './node/load.js';

export { type Batch, type BatchOptions, batches } from './batches.js';
export { DatasetError } from './errors.js';
export { encodeIdx, type IdxArray, type IdxData, type IdxDtype, parseIdx } from './idx.js';
export { type ImageSet, imageSize, selectSamples } from './image-set.js';
export {
  CLASS_NAMES,
  FASHION_MNIST,
  FILE_ROLES,
  type IdxDatasetSpec,
  type IdxFileRole,
  type IdxFileSpec,
} from './spec.js';
export { type SplitOptions, splitValidation, takeSamples } from './split.js';

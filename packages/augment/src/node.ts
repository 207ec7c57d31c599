export { type AugmentStreamOptions, augmentStream } from './node/stream.js';
export { writePreview } from './node/write-preview.js';

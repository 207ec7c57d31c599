export { type AugmentStreamOptions, augmentStream } from './stream.js';
export { writePreview } from './write-preview.js';

// Works in browsers and Node alike; saving and loading folders is in ./node.
export { IoError } from './errors.js';
export { modelArtifactsToFiles } from './model-artifacts.js';

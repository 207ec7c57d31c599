// Works in browsers and Node alike; what needs Node's file system is in ./node.
export {
  type BrowserLoadOptions,
  type BrowserLoadProgress,
  fetchFashionMnist,
  fetchIdxDataset,
} from './browser/load.js';
export * from './shared.js';

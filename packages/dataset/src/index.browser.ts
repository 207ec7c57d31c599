export {
  type BrowserLoadOptions,
  type BrowserLoadProgress,
  loadFashionMnist,
  loadIdxDataset,
} from './browser/load.js';
export * from './shared.js';

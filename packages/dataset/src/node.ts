// Node only: find, download, verify and cache the IDX files on disk.
export type { DownloadProgress } from './node/download.js';
export {
  type LoadedDataset,
  type LoadOptions,
  loadFashionMnist,
  loadIdxDataset,
  sha256Hex,
} from './node/load.js';
export { defaultCacheDir } from './node/locate.js';

import { BUNDLE_FAST_PNG, getTsupConfig } from '../../tsup.base';

// The stream worker is its own entry; shims give the CommonJS build the import.meta.url that finds it.
export default getTsupConfig(
  {
    index: 'src/index.ts',
    node: 'src/node.ts',
    tfjs: 'src/tfjs.ts',
    layers: 'src/layers.ts',
    'stream-worker': 'src/node/stream-worker.ts',
  },
  { ...BUNDLE_FAST_PNG, shims: true },
);

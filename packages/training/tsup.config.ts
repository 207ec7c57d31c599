import { getTsupConfig } from '../../tsup.base';

// The workers are entries of their own (Node's and browsers'), found beside the modules that start them;
// shims give the CommonJS build the import.meta.url it locates them by.
export default getTsupConfig(
  {
    index: 'src/index.ts',
    node: 'src/node.ts',
    browser: 'src/browser.ts',
    recipes: 'src/recipes.ts',
    sweeps: 'src/sweeps.ts',
    'data-parallel-worker': 'src/data-parallel/worker.ts',
    'browser-worker': 'src/data-parallel/browser-worker.ts',
  },
  { shims: true },
);

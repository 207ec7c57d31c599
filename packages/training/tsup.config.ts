import { getTsupConfig } from '../../tsup.base';

// The worker is its own entry; shims give the CommonJS build the import.meta.url it locates it by.
export default getTsupConfig(
  {
    index: 'src/index.ts',
    node: 'src/node.ts',
    recipes: 'src/recipes.ts',
    sweeps: 'src/sweeps.ts',
    'data-parallel-worker': 'src/data-parallel/worker.ts',
  },
  { shims: true },
);

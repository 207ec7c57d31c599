import { getTsupConfig } from '../../tsup.base';

// fast-png is ESM-only: bundled, so the CommonJS build works too.
export default getTsupConfig(
  { index: 'src/index.ts', 'index.node': 'src/index.node.ts' },
  { noExternal: ['fast-png'] },
);

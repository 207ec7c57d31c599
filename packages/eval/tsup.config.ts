import { getTsupConfig } from '../../tsup.base';

// fast-png is ESM-only: bundled, so the CommonJS build works too.
export default getTsupConfig(
  { index: 'src/index.ts', tfjs: 'src/tfjs.ts', cli: 'src/cli.ts' },
  { noExternal: ['fast-png'] },
);

import { getTsupConfig } from '../../tsup.base';

// fast-png is ESM-only: bundled, so the CommonJS build works too.
export default getTsupConfig(
  {
    index: 'src/index.ts',
    node: 'src/node/index.ts',
    'stream-worker': 'src/node/stream-worker.ts',
    cli: 'src/cli.ts',
  },
  { noExternal: ['fast-png'] },
);

import { BUNDLE_FAST_PNG, getTsupConfig } from '../../tsup.base';

export default getTsupConfig(
  {
    index: 'src/index.ts',
    node: 'src/node.ts',
  },
  { ...BUNDLE_FAST_PNG, shims: true },
);

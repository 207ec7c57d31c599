import { BUNDLE_FAST_PNG, getTsupConfig } from '../../tsup.base';

export default getTsupConfig(
  { index: 'src/index.ts', tfjs: 'src/tfjs.ts', cli: 'src/cli.ts' },
  BUNDLE_FAST_PNG,
);

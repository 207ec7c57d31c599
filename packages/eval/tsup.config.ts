import { BUNDLE_FAST_PNG, getTsupConfig } from '../../tsup.base';

export default getTsupConfig({ index: 'src/index.ts', tfjs: 'src/tfjs.ts' }, BUNDLE_FAST_PNG);

import { getTsupConfig } from '../../tsup.base';

export default getTsupConfig({ index: 'src/index.ts', node: 'src/node.ts' });

import { getTsupConfig } from '../../tsup.base';

export default getTsupConfig({
  index: 'src/index.ts',
  'index.browser': 'src/index.browser.ts',
  tfjs: 'src/tfjs.ts',
  'tfjs-data': 'src/tfjs-data.ts',
});

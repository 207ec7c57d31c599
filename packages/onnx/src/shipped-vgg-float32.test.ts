import { describeShippedParity } from './testing/shipped-parity.js';

describeShippedParity('vgg', 'float32');

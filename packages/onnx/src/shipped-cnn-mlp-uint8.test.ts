import { describeShippedParity } from './testing/shipped-parity.js';

describeShippedParity('cnn-mlp', 'uint8');

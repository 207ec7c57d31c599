export { OnnxError } from './errors.js';
export { IDENTITY_LAYERS, LAYER_CONVERTERS } from './layers/registry.js';
export { ONNX_OPSET, SUPPORTED_OPSETS } from './opset.js';
export { type ToOnnxOptions, toOnnx } from './to-onnx.js';

// Node only: writing ONNX files.
export { saveOnnx } from './node/save-onnx.js';

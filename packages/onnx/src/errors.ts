/** Every failure of this package: the message names the layer, option or file and what was wrong. */
export class OnnxError extends Error {
  override name = 'OnnxError';
}

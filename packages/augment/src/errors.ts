/** Bad options or inputs: the message names the option and what was expected. */
export class AugmentError extends Error {
  override name = 'AugmentError';
}

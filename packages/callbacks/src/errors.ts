/** A failure this package detects: the message names the file, option or callback and what was wrong. */
export class CallbackError extends Error {
  override name = 'CallbackError';
}

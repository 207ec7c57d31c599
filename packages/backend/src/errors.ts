/** Every failure of this package: the message names the backend, option or kernel and what was wrong. */
export class BackendError extends Error {
  override name = 'BackendError';
}

/** Every failure of this package: the message names the file or directory and what was wrong. */
export class IoError extends Error {
  override name = 'IoError';
}

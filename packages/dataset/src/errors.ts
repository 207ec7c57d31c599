/** Every failure of this package: the message names the file or option and what was wrong. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

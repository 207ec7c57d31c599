/** Every failure of this package: the message names the method, option, batch or tensor and what was wrong. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

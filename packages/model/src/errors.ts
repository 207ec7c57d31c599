/** Every failure @fmnist/model detects (classifier input, loading, optimizers, quantization): the message names the argument and what was expected. */
export class ClassifierError extends Error {
  override name = 'ClassifierError';
}

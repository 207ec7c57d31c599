/** Bad input to the classifier: the message names the argument and what was expected. */
export class ClassifierError extends Error {
  override name = 'ClassifierError';
}

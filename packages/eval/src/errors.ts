/** Bad inputs to the evaluation kit: the message names the argument and what was wrong. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

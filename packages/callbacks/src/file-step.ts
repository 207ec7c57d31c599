import { CallbackError } from './errors.js';

/** Runs a file system step; its failure becomes a CallbackError with `message` and the original as cause. */
export async function fileStep<T>(message: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new CallbackError(message, { cause: error });
  }
}

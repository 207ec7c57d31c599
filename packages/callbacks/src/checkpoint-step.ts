import { IoError } from '@fmnist/io';
import { CallbackError } from './errors.js';

/**
 * Runs a step of `@fmnist/io`'s checkpoints; its `IoError` becomes a `CallbackError`, as this package
 * promises, with the same message (which names the file) and the `IoError` as `cause`.
 */
export async function checkpointStep<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof IoError) throw new CallbackError(error.message, { cause: error });
    throw error;
  }
}

import type * as tf from '@tensorflow/tfjs-core';

/**
 * The logs tfjs hands to callbacks (tfjs-layers' `UnresolvedLogs`, which it does not export from its
 * entry point): numbers, or scalars not yet read.
 */
export type Logs = { [key: string]: number | tf.Scalar };

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A pixel value that makes `FailOnMarker` throw: puts a failure into one chosen shard of a batch. */
export const FAILURE_MARKER = -12345;

/** Identity, except that it throws on a batch holding FAILURE_MARKER (registered for workers too). */
export class FailOnMarker extends tfl.layers.Layer {
  static className = 'FailOnMarker';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if ((x.dataSync() as Float32Array).includes(FAILURE_MARKER)) throw new Error('injected failure');
    return x;
  }
}
tf.serialization.registerClass(FailOnMarker);

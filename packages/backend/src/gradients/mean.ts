import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean's gradient, dy / n broadcast over the reduced axes: tfjs-core's multiplies dy by a tensor of ones
 * of the input's size and divides that by n, two passes over an activation-sized tensor for every mean
 * a batch normalization takes in training. Dividing before broadcasting gives the same values (dy * 1
 * is dy), and the broadcast is one Tile (a doubling copy on wasm, kernels/tile.ts).
 */
export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const reduceSize = tf.util.sizeFromShape(axes.map((axis) => x.shape[axis]!));
    const expandedShape = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
    return {
      x: () =>
        tf.broadcastTo(
          tf.div(tf.cast(tf.reshape(dy as tf.Tensor, expandedShape), 'float32'), reduceSize),
          x.shape,
        ),
    };
  },
};

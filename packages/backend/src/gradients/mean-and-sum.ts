import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradient of a reduction: dy spread back over the reduced axes (divided by their size for Mean).
 * tfjs-core's own multiplies dy by `tf.ones(x.shape)`, a tensor built in JavaScript (a loop writing 1s
 * into a new Float32Array) and then copied into the backend, and divides the product by n: for
 * BatchNorm's statistics in training (`tf.moments`: two Means over the whole activation per layer) that
 * was ~40 ms of a 300 ms `vgg` step on wasm. Here the division runs on dy before it is spread (dy/n * 1
 * is the float dy*1/n that tfjs-core computes) and the spreading is one Tile (a doubling copy on wasm,
 * kernels/tile.ts). Works on every backend.
 */
function reductionGradConfig(kernelName: 'Mean' | 'Sum'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const expandedShape = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
      return {
        x: () => {
          // An empty x: tfjs's broadcastTo would hand back dy's shape, not x's.
          if (tf.util.sizeFromShape(x.shape) === 0) return tf.zeros(x.shape);
          // float32 first, as tfjs-core's product with float32 ones makes it (it divides int32 by int32
          // with floor); the tape accepts only float32 gradients.
          let spread = tf.reshape(tf.cast(dy as tf.Tensor, 'float32'), expandedShape);
          if (kernelName === 'Mean') {
            const count = axes.reduce((product, axis) => product * x.shape[axis]!, 1);
            spread = tf.div(spread, count);
          }
          return tf.broadcastTo(spread, x.shape);
        },
      };
    },
  };
}

export const meanGradConfig = reductionGradConfig('Mean');
export const sumGradConfig = reductionGradConfig('Sum');

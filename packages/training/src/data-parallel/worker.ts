import { parentPort } from 'node:worker_threads';
import { useBestBackend } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import { type LossSpec, lossFunction } from '../losses.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { shardGradients } from './shard-gradients.js';

// One replica: receives weights and a shard, sends back gradients. The parent owns the optimizer.
const port = parentPort!;
let model: tfl.LayersModel | undefined;
let loss: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar) | undefined;
let lossSpec: LossSpec | undefined;

const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', async (message: ToWorker) => {
  try {
    if (message.type === 'init') {
      for (const specifier of message.setupModules) await import(specifier);
      await useBestBackend(message.backend, { log: null });
      model = (await tfl.models.modelFromJSON(JSON.parse(message.topology))) as tfl.LayersModel;
      loss = lossFunction(message.loss);
      lossSpec = message.loss;
      send({ type: 'ready' });
    } else if (message.type === 'step') {
      if (!model || !loss || !lossSpec) throw new TrainingError('step before init');
      const weights = model.weights;
      tf.tidy(() => {
        message.weights.forEach((values, i) => {
          weights[i]!.write(tf.tensor(values, weights[i]!.shape as number[]));
        });
      });
      const x = tf.tensor(message.x, message.xShape);
      const y = tf.tensor(message.y, message.yShape);
      const result = shardGradients(model, loss, lossSpec, x, y, message.seed);
      tf.dispose([x, y]);
      // A copy: on the cpu backend dataSync returns the tensor's own storage, which must not be transferred.
      const grads = result.grads.map((g) => (g.dataSync() as Float32Array).slice());
      tf.dispose(result.grads);
      send(
        {
          type: 'result',
          id: message.id,
          grads,
          loss: result.loss,
          correct: result.correct,
          count: message.xShape[0]!,
        },
        grads.map((g) => g.buffer as ArrayBuffer),
      );
    } else if (message.type === 'close') {
      model?.dispose();
      port.close();
    }
  } catch (error) {
    send({
      type: 'error',
      id: 'id' in message ? message.id : undefined,
      message: String((error as Error)?.stack ?? error),
    });
  }
});

import { setSimdKernelBuild, useBestBackend } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingError } from '../errors.js';
import { type LossSpec, lossFunction } from '../losses.js';
import { evaluateSums } from './evaluate-sums.js';
import type { FromWorker, InitMessage, ToWorker } from './protocol.js';
import { shardGradients } from './shard-gradients.js';

/** Writes the trainer's weights (every one, in `model.weights` order) into the replica. */
function loadWeights(model: tfl.LayersModel, values: Float32Array[]) {
  const weights = model.weights;
  tf.tidy(() => {
    values.forEach((array, i) => {
      weights[i]!.write(tf.tensor(array, weights[i]!.shape as number[]));
    });
  });
}

/** The thread a replica runs in, as the replica sees it: `parentPort` in Node, the worker scope in browsers. */
export interface ReplicaPort {
  postMessage(message: FromWorker, transfer: ArrayBuffer[]): void;
  onMessage(listener: (message: ToWorker) => void): void;
  close(): void;
}

export interface ReplicaPlatform {
  /** Loads a backend package (browsers need literal `import()`s for bundlers to see them). */
  importBackend?: (specifier: string, init: InitMessage) => Promise<unknown>;
  /** Loads a setup module. */
  importSetup(specifier: string): Promise<unknown>;
}

/**
 * One replica: receives weights and a shard, sends back gradients. The trainer owns the optimizer.
 * The same code runs in Node's worker threads and browsers' Web Workers; only `port` differs.
 */
export function serveReplica(port: ReplicaPort, platform: ReplicaPlatform): void {
  let model: tfl.LayersModel | undefined;
  let loss: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar) | undefined;
  let lossSpec: LossSpec | undefined;
  const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  port.onMessage(async (message) => {
    try {
      if (message.type === 'init') {
        for (const specifier of message.setupModules) await platform.importSetup(specifier);
        if (message.kernelBuild) setSimdKernelBuild(message.kernelBuild);
        const importBackend = platform.importBackend;
        const selection = await useBestBackend(message.backend, {
          log: null,
          ...(importBackend
            ? { importModule: (specifier: string) => importBackend(specifier, message) }
            : {}),
        });
        model = (await tfl.models.modelFromJSON(JSON.parse(message.topology))) as tfl.LayersModel;
        loss = lossFunction(message.loss);
        lossSpec = message.loss;
        send({
          type: 'ready',
          backend: selection.name,
          ...(selection.kernels ? { kernels: selection.kernels } : {}),
        });
      } else if (message.type === 'step') {
        if (!model || !loss || !lossSpec) throw new TrainingError('step before init');
        loadWeights(model, message.weights);
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
      } else if (message.type === 'evaluate') {
        if (!model || !loss || !lossSpec) throw new TrainingError('evaluate before init');
        loadWeights(model, message.weights);
        const { lossSum, correct } = evaluateSums(model, loss, lossSpec, message, message.batchSize);
        send({ type: 'evaluated', id: message.id, lossSum, correct });
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
}

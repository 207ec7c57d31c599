import type { LayersModel } from '@tensorflow/tfjs-layers';
import { nodeWorkerTransport } from './node-transport.js';
import { type DataParallelOptions, startTrainer, DataParallelTrainer as Trainer } from './trainer.js';

/**
 * The data-parallel trainer on Node's `worker_threads`; this thread computes a shard too
 * (`localShard: true`). Everything but `create` is the shared {@link Trainer}.
 */
export class DataParallelTrainer extends Trainer {
  static override async create(
    model: LayersModel,
    options: DataParallelOptions = {},
  ): Promise<DataParallelTrainer> {
    return new DataParallelTrainer(
      await startTrainer(model, options, { transport: nodeWorkerTransport, localShard: true }),
    );
  }
}

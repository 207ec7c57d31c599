import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromWorker } from './protocol.js';
import type { WorkerTransport } from './transport.js';
import { workerScript } from './worker-url.js';

/** Replicas on Node's `worker_threads`, running `worker.ts` (or the built `data-parallel-worker.js`). */
export function nodeWorkerTransport(): WorkerTransport {
  const script = workerScript(import.meta.url);
  return {
    kind: 'worker_threads',
    availableThreads: () => availableParallelism(),
    spawn() {
      const worker = new Worker(script.script, {
        eval: script.eval,
        ...(script.execArgv ? { execArgv: script.execArgv } : {}),
      });
      return {
        postMessage: (message, transfer) => worker.postMessage(message, transfer),
        listen(listeners) {
          worker.on('message', (message: FromWorker) => listeners.message(message));
          worker.on('error', (error) => listeners.error(error));
          worker.on('exit', (code) => listeners.exit(code));
        },
        terminate: async () => {
          await worker.terminate();
        },
      };
    },
  };
}

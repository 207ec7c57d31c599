import { parentPort } from 'node:worker_threads';
import type { ToWorker } from './protocol.js';
import { serveReplica } from './replica.js';

// The replica in a Node worker thread.
const port = parentPort!;
serveReplica(
  {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
    close: () => port.close(),
  },
  { importSetup: (specifier) => import(specifier) },
);

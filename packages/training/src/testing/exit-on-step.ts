import { parentPort } from 'node:worker_threads';

// A setup module that makes a worker thread exit (code 7) instead of answering its first shard.
const port = parentPort!;
const post = port.postMessage.bind(port);
port.postMessage = (message: { type?: string }, transfer?: readonly ArrayBuffer[]) => {
  if (message?.type === 'result') process.exit(7);
  post(message, transfer as ArrayBuffer[]);
};

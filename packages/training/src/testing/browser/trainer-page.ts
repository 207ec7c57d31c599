// The page of the Chromium tests: trains the small conv net with the browser trainer on Web Workers.
import '@tensorflow/tfjs-backend-cpu';
import type { SimdKernelBuild } from '@fmnist/backend';
import { useBestBackend } from '@fmnist/backend';
import * as tf from '@tensorflow/tfjs-core';
import { DataParallelTrainer } from '../../browser.js';
import { smallConvModel } from '../small-conv-model.js';

export interface TrainRequest {
  x: number[];
  y: number[];
  batch: number;
  steps: number;
  workers: number;
  kernelBuild?: SimdKernelBuild;
  setupModules?: string[];
  seed?: number;
  /** Start the workers through `createWorker` (counted) instead of the trainer's default. */
  createWorker?: boolean;
}

async function train(request: TrainRequest) {
  const wasmPaths = new URL('./wasm/', location.href).href;
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(wasmPaths);
  // Cross-origin isolated, tfjs-wasm would pick its threaded build, whose shared memory our kernels
  // cannot bind (and whose pthread workers esbuild's keepNames breaks): keep the single-threaded one.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await useBestBackend('wasm', { log: null, importModule: () => import('@tensorflow/tfjs-backend-wasm') });
  const model = smallConvModel(3);
  const created: number[] = [];
  const createWorker = (index: number) => {
    created.push(index);
    return new Worker(new URL('./browser-worker.js', location.href), { type: 'module' });
  };
  const trainer = await DataParallelTrainer.create(model, {
    workers: request.workers,
    wasmPaths,
    ...(request.kernelBuild ? { kernelBuild: request.kernelBuild } : {}),
    ...(request.setupModules ? { setupModules: request.setupModules } : {}),
    ...(request.createWorker ? { createWorker } : {}),
  });
  try {
    const x = Float32Array.from(request.x);
    const y = Float32Array.from(request.y);
    const losses: number[] = [];
    const tensors: number[] = [];
    for (let i = 0; i < request.steps; i++) {
      const seed = request.seed === undefined ? {} : { seed: request.seed + i };
      losses.push(
        (await trainer.step(x.slice(), [request.batch, 12, 12, 1], y.slice(), [request.batch, 10], seed))
          .loss,
      );
      tensors.push(tf.memory().numTensors);
    }
    const evaluated = await trainer.evaluateInWorkers(x, [request.batch, 12, 12, 1], y, [request.batch, 10]);
    return {
      evaluated,
      losses,
      tensors,
      weights: model.getWeights().map((w) => Array.from(w.dataSync())),
      info: trainer.info(),
      isolated: globalThis.crossOriginIsolated,
      created,
    };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

/** Runs `request`; a failure comes back as its message (and its cause's), which the test asserts on. */
(globalThis as unknown as { train: unknown }).train = async (request: TrainRequest) => {
  try {
    return { ok: true, ...(await train(request)) };
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    return { ok: false, error: `${(error as Error).message}${cause ? ` | cause: ${cause.message}` : ''}` };
  }
};
document.body.dataset.ready = 'true';

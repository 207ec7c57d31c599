// Test and bench support, not a package: the browser half of the inference yardstick. A page's script
// calls exposeYardstick with how it starts tfjs; the Node half (inference-yardstick-chromium.ts) then calls
// `yardstick(request)` in the page, one runtime per page load (onnxruntime-web reads its thread count
// once, when its WASM module starts).
import {
  measure,
  type OrtModule,
  ortPredictor,
  type Predict,
  type YardstickRuns,
} from './inference-yardstick.js';

export interface YardstickRequest {
  runtime: 'tfjs' | 'ort';
  /** onnxruntime-web's WASM threads (the page must be cross-origin isolated for more than 1). */
  threads: number;
  runs: YardstickRuns;
}

/** A run's figures and probabilities (plain arrays: they travel out of the page). */
export interface YardstickResult {
  runtime: string;
  threads: number | string;
  /** Whether the page could share memory with worker threads (COOP/COEP). */
  crossOriginIsolated: boolean;
  latencyMs: number;
  warmupLatencyMs: number;
  imagesPerSecond: number;
  probabilities: { batch1: number[]; batch: number[] };
}

export interface YardstickPageSetup {
  /** Starts tfjs and loads the classifier: its runtime label, threads label and predict over `images`. */
  tfjs(images: Uint8Array): Promise<{ runtime: string; threads: number | string; predict: Predict }>;
  /** onnxruntime-web's `dist` folder, served as is (its worker threads load its glue script by URL). */
  ortFolder: string;
  /** The ONNX model. */
  onnxUrl: string;
  /** BATCH images (uint8, 28x28 grey). */
  images(): Promise<Uint8Array>;
}

async function runOrt(setup: YardstickPageSetup, images: Uint8Array, request: YardstickRequest) {
  const folder = new URL(setup.ortFolder, location.href).href;
  const ort = (await import(`${folder}ort.wasm.min.mjs`)) as OrtModule & {
    env: { wasm: { wasmPaths: string; numThreads: number } };
  };
  ort.env.wasm.wasmPaths = folder;
  ort.env.wasm.numThreads = request.threads;
  const bytes = new Uint8Array(await (await fetch(setup.onnxUrl)).arrayBuffer());
  const session = await ortPredictor(ort, bytes, images, { executionProviders: ['wasm'] });
  try {
    return {
      runtime: 'onnxruntime-web (wasm simd, chromium)',
      threads: request.threads,
      figures: await measure(session.predict, request.runs),
    };
  } finally {
    await session.release();
  }
}

/** Defines `globalThis.yardstick(request)` for the Node half, and `body[data-yardstick="ready"]`. */
export function exposeYardstick(setup: YardstickPageSetup): void {
  (globalThis as { yardstick?: unknown }).yardstick = async (
    request: YardstickRequest,
  ): Promise<YardstickResult> => {
    const images = await setup.images();
    let run: { runtime: string; threads: number | string; figures: Awaited<ReturnType<typeof measure>> };
    if (request.runtime === 'tfjs') {
      const { runtime, threads, predict } = await setup.tfjs(images);
      run = { runtime, threads, figures: await measure(predict, request.runs) };
    } else run = await runOrt(setup, images, request);
    const { latencyMs, warmupLatencyMs, imagesPerSecond, probabilities } = run.figures;
    return {
      runtime: run.runtime,
      threads: run.threads,
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      latencyMs,
      warmupLatencyMs,
      imagesPerSecond,
      probabilities: { batch1: Array.from(probabilities.batch1), batch: Array.from(probabilities.batch) },
    };
  };
  document.body.dataset.yardstick = 'ready';
}

// Test and bench support, not a package: the inference yardstick shared by @fmnist/onnx's benches (Node and
// Chromium) and the demo's e2e: a runtime's batch-1 latency and batch-1024 throughput, measured the same way
// everywhere, and an ONNX Runtime (node or web) session as a predict function. Browser-safe, no imports:
// ONNX Runtime is passed in (the browser loads it by URL), typed by the little of its API used here.

/** The large batch of the yardstick. */
export const BATCH = 1024;

/**
 * Untimed batch-1 calls before the timed ones. tfjs's first calls run cold JavaScript (tfjs-layers' graph
 * execution, tfjs-core's engine) and baseline-compiled WASM, and warm over hundreds of calls (Node, vgg,
 * ms per call: calls 10-20 4.7, 100-200 2.9, 300-400 1.6); onnxruntime-web's, one WASM call each, within a
 * few. Headless Chromium, the demo's uint8 vgg (shared machine): our calls 2-21 took 5.0 ms on average and
 * calls 22-201 1.9 ms, onnxruntime-web's 2.9 and 2.7 ms. With one warm-up call, the demo e2e's 20 timed
 * calls measured tfjs's warm-up (6.39 ms against the bench's 3.17 ms over 100 calls).
 */
export const WARMUP_CALLS = 200;

/** How many timed calls: after the warm-up calls, `latencyRuns` at batch 1, `throughputRuns` at BATCH. */
export interface YardstickRuns {
  latencyRuns: number;
  throughputRuns: number;
}

/** The benches' runs; a test takes fewer (its figures are printed, never asserted). */
export const BENCH_RUNS: YardstickRuns = { latencyRuns: 100, throughputRuns: 3 };

/** A runtime's class probabilities (`n` rows) of the first `n` images. */
export type Predict = (n: number) => Float32Array | Promise<Float32Array>;

export interface YardstickFigures {
  /** Milliseconds per batch-1 call, warm. */
  latencyMs: number;
  /** Milliseconds per batch-1 call over the WARMUP_CALLS first ones: what a page's first predictions take. */
  warmupLatencyMs: number;
  /** Images per second at batch BATCH. */
  imagesPerSecond: number;
  /** The warm-up calls' probabilities, batch 1 and batch BATCH, to compare runtimes with. */
  probabilities: { batch1: Float32Array; batch: Float32Array };
}

/** 1024 28x28 grey images in a fixed pattern (speed does not depend on the pixels). */
export function patternImages(): Uint8Array {
  return new Uint8Array(784 * BATCH).map((_, i) => (i * 7) % 256);
}

/** Mean milliseconds per call of `run` over `runs` calls. */
async function timed(run: () => unknown, runs: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < runs; i++) await run();
  return (performance.now() - started) / runs;
}

/**
 * Batch-1 latency after WARMUP_CALLS calls (the first gives the probabilities), and batch-BATCH throughput
 * after one call (which sizes buffers and plans kernels; its many kernel calls warm the code).
 */
export async function measure(predict: Predict, runs: YardstickRuns = BENCH_RUNS): Promise<YardstickFigures> {
  const started = performance.now();
  const batch1 = await predict(1);
  for (let i = 1; i < WARMUP_CALLS; i++) await predict(1);
  const warmupLatencyMs = (performance.now() - started) / WARMUP_CALLS;
  const latencyMs = await timed(() => predict(1), runs.latencyRuns);
  const batch = await predict(BATCH);
  const batchMs = await timed(() => predict(BATCH), runs.throughputRuns);
  return {
    latencyMs,
    warmupLatencyMs,
    imagesPerSecond: BATCH / (batchMs / 1000),
    probabilities: { batch1, batch },
  };
}

/** The figures as the benches' JSON lines, one per measure, each with `labels` (runtime, threads, ...). */
export function figureLines(figures: Omit<YardstickFigures, 'probabilities'>, labels: object): string[] {
  return [
    JSON.stringify({
      name: 'predict.batch1.latency',
      value: Number(figures.latencyMs.toFixed(3)),
      unit: 'ms',
      ...labels,
    }),
    JSON.stringify({
      name: 'predict.batch1.warmup-latency',
      value: Number(figures.warmupLatencyMs.toFixed(3)),
      unit: 'ms',
      calls: WARMUP_CALLS,
      ...labels,
    }),
    JSON.stringify({
      name: `predict.batch${BATCH}.throughput`,
      value: Number(figures.imagesPerSecond.toFixed(1)),
      unit: 'img/s',
      ...labels,
    }),
  ];
}

/** The part of `onnxruntime-node` and `onnxruntime-web` used here. */
export interface OrtModule {
  InferenceSession: { create(bytes: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}

/**
 * An ONNX Runtime session on the ONNX model `bytes` (a 28x28 grey NHWC classifier, as `toOnnx` exports
 * the shipped ones) as a {@link Predict} over `images` (uint8, scaled to [0, 1] as `Classifier` does).
 */
export async function ortPredictor(
  ort: OrtModule,
  bytes: Uint8Array,
  images: Uint8Array,
  options: object,
): Promise<{ predict: Predict; release(): Promise<void> }> {
  const session = await ort.InferenceSession.create(bytes, options);
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  const floats = Float32Array.from(images, (v) => v / 255);
  return {
    predict: async (n) => {
      const tensor = new ort.Tensor('float32', floats.subarray(0, n * 784), [n, 28, 28, 1]);
      return (await session.run({ [input]: tensor }))[output]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** Index of the largest of `row`'s values. */
function top1(row: ArrayLike<number>, start: number, classes: number): number {
  let best = start;
  for (let i = start + 1; i < start + classes; i++) if (row[i]! > row[best]!) best = i;
  return best - start;
}

/**
 * How two runtimes' probabilities (rows of `classes` values, same images) differ: the largest difference
 * of any value, and how many rows have another top-1 class.
 */
export function disagreement(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  classes = 10,
): { maxDifference: number; top1Differs: number } {
  if (a.length !== b.length) throw new Error(`${a.length} probabilities against ${b.length}`);
  let maxDifference = 0;
  let top1Differs = 0;
  for (let i = 0; i < a.length; i++) maxDifference = Math.max(maxDifference, Math.abs(a[i]! - b[i]!));
  for (let row = 0; row < a.length; row += classes)
    if (top1(a, row, classes) !== top1(b, row, classes)) top1Differs++;
  return { maxDifference, top1Differs };
}

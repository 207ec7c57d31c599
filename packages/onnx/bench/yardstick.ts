// What the inference benches share: the inputs, the timing, the JSON lines, and an ONNX Runtime session run.
import type * as ortNode from 'onnxruntime-node';
import type * as ortWeb from 'onnxruntime-web';

export const ARCHITECTURE = 'vgg';
export const BATCH = 1024;
const LATENCY_RUNS = 100;
const THROUGHPUT_RUNS = 3;

/** 1024 28x28 grey images (a fixed pattern: speed does not depend on the pixels), bytes and [0, 1] floats. */
export const images = new Uint8Array(784 * BATCH).map((_, i) => (i * 7) % 256);
const floats = Float32Array.from(images, (v) => v / 255);

/** Mean milliseconds per call of `run` after one warm-up call (which sizes buffers and plans kernels). */
async function timed(run: () => unknown, runs: number): Promise<number> {
  await run();
  const started = performance.now();
  for (let i = 0; i < runs; i++) await run();
  return (performance.now() - started) / runs;
}

/** Prints batch-1 latency and batch-1024 throughput of `predict(n)` as JSON lines. */
export async function measure(
  runtime: string,
  threads: number | string,
  predict: (count: number) => unknown,
): Promise<void> {
  const latency = await timed(() => predict(1), LATENCY_RUNS);
  const batch = await timed(() => predict(BATCH), THROUGHPUT_RUNS);
  const common = { architecture: ARCHITECTURE, runtime, threads };
  console.log(
    JSON.stringify({
      name: 'predict.batch1.latency',
      value: Number(latency.toFixed(3)),
      unit: 'ms',
      ...common,
    }),
  );
  console.log(
    JSON.stringify({
      name: `predict.batch${BATCH}.throughput`,
      value: Number((BATCH / (batch / 1000)).toFixed(1)),
      unit: 'img/s',
      ...common,
    }),
  );
}

/** Measures an ONNX Runtime (node or web) session on the ONNX model `bytes`. */
export async function measureOrt(
  ort: typeof ortNode | typeof ortWeb,
  bytes: Uint8Array,
  runtime: string,
  threads: number,
  options: object,
): Promise<void> {
  const session = await ort.InferenceSession.create(bytes, options);
  const input = session.inputNames[0]!;
  await measure(runtime, threads, (n) =>
    session.run({ [input]: new ort.Tensor('float32', floats.subarray(0, n * 784), [n, 28, 28, 1]) }),
  );
  await session.release();
}

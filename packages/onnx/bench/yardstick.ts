// What the inference benches share beyond the yardstick itself (the repository's
// testing/inference-yardstick.ts, which the demo's e2e runs too): the model and the JSON lines.
import {
  figureLines,
  measure,
  type OrtModule,
  ortPredictor,
  type YardstickFigures,
} from '../../../testing/inference-yardstick.js';

export const ARCHITECTURE = 'vgg';

/** Prints `figures` as JSON lines labelled with the model, `runtime` and `threads`. */
export function report(
  figures: Omit<YardstickFigures, 'probabilities'>,
  runtime: string,
  threads: number | string,
): void {
  for (const line of figureLines(figures, { architecture: ARCHITECTURE, runtime, threads }))
    console.log(line);
}

/** Measures and reports an ONNX Runtime (node or web) session on the ONNX model `bytes`. */
export async function measureOrt(
  ort: OrtModule,
  bytes: Uint8Array,
  images: Uint8Array,
  { runtime, threads, options }: { runtime: string; threads: number; options: object },
): Promise<void> {
  const session = await ortPredictor(ort, bytes, images, options);
  report(await measure(session.predict), runtime, threads);
  await session.release();
}

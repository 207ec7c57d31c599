// The quick recipe's training step, timed: shared by the Node side of the bench and its page.
import { RECIPES } from '@fmnist/model';
import type { DataParallelTrainer } from '../../src/data-parallel/trainer.js';
import { buildModel, recipeLoss } from '../../src/recipes/build-model.js';

export const QUICK = RECIPES.quick!;

/** Images per second of `steps` training steps of batch `batch`, after two warm-up steps. */
export async function timeQuickSteps(
  create: (
    model: ReturnType<typeof buildModel>,
    loss: ReturnType<typeof recipeLoss>,
  ) => Promise<DataParallelTrainer>,
  batch: number,
  steps: number,
): Promise<{ value: number; kernelBuild: string | undefined }> {
  const model = buildModel(QUICK, 42);
  const trainer = await create(model, recipeLoss(QUICK));
  const x = Float32Array.from({ length: batch * 784 }, (_, i) => ((i * 2654435761) >>> 0) / 2 ** 32);
  const y = new Float32Array(batch * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
  const step = (i: number) =>
    trainer.step(x.slice(), [batch, 28, 28, 1], y.slice(), [batch, 10], { seed: i });
  try {
    // Warm-up: kernel set-up, and enough calls for the engine to tier the WASM kernels up.
    for (let i = 0; i < 2; i++) await step(i);
    const started = performance.now();
    for (let i = 0; i < steps; i++) await step(i + 2);
    const seconds = (performance.now() - started) / 1000;
    return { value: (batch * steps) / seconds, kernelBuild: trainer.kernelBuild };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

// The convolutions of the CNN-MLP and VGG architectures at a data-parallel shard's batch (64), forward
// (fused bias + relu), input gradient and filter gradient: our SIMD kernels (direct, and Winograd
// F(2x2, 3x3) or F(4x4, 3x3) forced where it fits) against tfjs-wasm's XNNPACK path, one JSON line
// each. Another batch as the first argument (`pnpm --filter @fmnist/backend bench 1`): below 64 the
// forward pass only, as inference runs it, without XNNPACK. Every call reuses its filter tensor, so
// forward passes time the filter kept packed (src/simd/packed-filters.ts), as repeated inference runs.
// A second argument keeps some ops (`forward,inputGradient,filterGradient`), to keep one run short:
// `pnpm --filter @fmnist/backend bench 64 filterGradient`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmTrainingKernels,
  setSimdKernelBuild,
  setWinogradPolicy,
  simdKernelChoice,
} from '../src/index.js';

registerWasmTrainingKernels();
await tf.setBackend('wasm');
const detected = simdKernelChoice().build;
const batch = Number(process.argv[2] ?? 64);
if (!Number.isInteger(batch) || batch < 1)
  throw new Error(`batch: expected a positive integer, got '${process.argv[2]}'`);
const inference = batch < 64;
const OPS = ['forward', 'inputGradient', 'filterGradient'];
const ops = (process.argv[3] ?? OPS.join(',')).split(',');
for (const op of ops) {
  if (!OPS.includes(op)) throw new Error(`ops: expected some of ${OPS.join(', ')}, got '${op}'`);
}
const layers = [
  { model: 'cnn-mlp,vgg', size: 28, inChannels: 1, outChannels: 32, kernel: 3 },
  { model: 'cnn-mlp', size: 28, inChannels: 32, outChannels: 64, kernel: 3 },
  { model: 'cnn-mlp', size: 9, inChannels: 64, outChannels: 64, kernel: 3 },
  { model: 'cnn-mlp', size: 9, inChannels: 64, outChannels: 128, kernel: 5 },
  { model: 'vgg', size: 28, inChannels: 32, outChannels: 32, kernel: 3 },
  { model: 'vgg', size: 14, inChannels: 32, outChannels: 64, kernel: 3 },
  { model: 'vgg', size: 14, inChannels: 64, outChannels: 64, kernel: 3 },
  { model: 'vgg', size: 7, inChannels: 64, outChannels: 128, kernel: 3 },
  { model: 'vgg', size: 7, inChannels: 128, outChannels: 128, kernel: 3 },
];
// Our kernels with Winograd off (direct), F(2x2, 3x3) or F(4x4, 3x3) forced wherever it fits, and
// tfjs-wasm's XNNPACK.
const variants = [
  { kernels: detected, winograd: 'never', label: detected },
  { kernels: detected, winograd: 'f2x2', label: `${detected}+winograd` },
  { kernels: detected, winograd: 'f4x4', label: `${detected}+winograd4x4` },
  { kernels: 'off', winograd: 'never', label: 'xnnpack' },
] as const;
// Calls per timing: small batches take more calls for the same total time.
const reps = Math.max(6, Math.round(384 / batch));

/**
 * Milliseconds per call, wall clock and CPU time (the kernels run on this thread, so CPU time is their
 * own time even when other processes share the cores), after enough calls for V8 to optimize them.
 */
function time(f: () => tf.Tensor): { ms: number; cpuMs: number } {
  for (let i = 0; i < 6; i++) f().dispose();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < reps; i++) {
    const result = f();
    result.dataSync();
    result.dispose();
  }
  const used = process.cpuUsage(cpu);
  return { ms: (performance.now() - started) / reps, cpuMs: (used.user + used.system) / 1000 / reps };
}

for (const { kernels, winograd, label } of variants) {
  if (inference && kernels === 'off') continue;
  setSimdKernelBuild(kernels);
  setWinogradPolicy(winograd);
  for (const l of layers) {
    // 5x5 filters have F(2x2, 5x5) only: f4x4 would repeat f2x2's figures.
    if (winograd === 'f4x4' && l.kernel !== 3) continue;
    const x = tf.randomUniform([batch, l.size, l.size, l.inChannels]) as tf.Tensor4D;
    const w = tf.randomUniform([l.kernel, l.kernel, l.inChannels, l.outChannels]) as tf.Tensor4D;
    const b = tf.randomUniform([l.outChannels]) as tf.Tensor1D;
    const dy = tf.randomUniform([batch, l.size, l.size, l.outChannels]) as tf.Tensor4D;
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    // The direct convolution's operation count for every variant: Winograd's figure is an effective rate.
    const gflop = (2 * batch * l.size * l.size * l.kernel * l.kernel * l.inChannels * l.outChannels) / 1e9;
    const runs = {
      forward: () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu' }),
      inputGradient: () =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
          ...attrs,
          inputShape: x.shape,
        } as never) as tf.Tensor,
      filterGradient: () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          ...attrs,
          filterShape: w.shape,
        } as never) as tf.Tensor,
    };
    for (const [op, run] of Object.entries(runs)) {
      if ((inference && op !== 'forward') || !ops.includes(op)) continue;
      const { ms, cpuMs } = time(run);
      console.log(
        JSON.stringify({
          name: `conv.${op}`,
          value: Number((gflop / (ms / 1000)).toFixed(1)),
          unit: 'GFLOP/s',
          ms: Number(ms.toFixed(2)),
          cpuMs: Number(cpuMs.toFixed(2)),
          kernels: label,
          model: l.model,
          layer: `${l.size}x${l.size}x${l.inChannels}->${l.outChannels} k${l.kernel}`,
          batch,
        }),
      );
    }
    tf.dispose([x, w, b, dy]);
  }
}

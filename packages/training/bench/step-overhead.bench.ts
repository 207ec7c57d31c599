// Where one thread's share of a `vgg` training step goes on wasm (issue 32): forward and backward of a
// 64-image shard as the data-parallel replica runs it (shardGradients, our loss, withFusedTrainingLayers),
// timed whole against the same step on tfjs-layers' own training paths (three interleaved rounds,
// medians), and the replica's steps under V8's sampling profiler, self time per step by where the code lives: `wasm` is the
// kernels' arithmetic; tfjs-core (engine, tape, gradient functions), tfjs-layers (apply), tfjs-backend-wasm
// (kernel wrappers), our backend's kernel wiring, the dropout masks (drawn in JavaScript)
// and GC are the rest. One JSON line per measure. Run alone: `tsx --conditions=fmnist-source bench/step-overhead.bench.ts`.
import { Session } from 'node:inspector/promises';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { useBestBackend } from '@fmnist/backend';
import { createModel } from '@fmnist/model';
import { withDropoutSeed } from '../src/data-parallel/dropout-seed.js';
import { shardGradients } from '../src/data-parallel/shard-gradients.js';
import { lossFunction } from '../src/losses.js';

const SHARD = Number(process.env.SHARD ?? 64);
const STEPS = 10;

await useBestBackend('wasm', { log: null });
const model = createModel('vgg', { batchNorm: true, seed: 1 });
const spec = { type: 'categoricalCrossentropy' } as const;
const loss = lossFunction(spec);
const x = tf.randomUniform([SHARD, 28, 28, 1]);
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: SHARD }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const step = () => tf.dispose(shardGradients(model, loss, spec, x, y, 1).grads);
// The same step on tfjs-layers' own training paths (no withFusedTrainingLayers), for the A/B below.
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const layersStep = () =>
  tf.tidy(() => {
    const { value, grads } = withDropoutSeed(model, 1, () =>
      tf.variableGrads(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), variables),
    );
    value.dataSync();
    tf.dispose(grads);
  });

const timeSteps = (run: () => void) => {
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) run();
  return (performance.now() - started) / STEPS;
};
for (let i = 0; i < 3; i++) {
  step();
  layersStep();
}
const tensors = tf.memory().numTensors;
const rounds = [0, 1, 2].map(() => [timeSteps(step), timeSteps(layersStep)] as const);
if (tf.memory().numTensors !== tensors) throw new Error('step-overhead.bench: the step leaks tensors');
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const stepMs = median(rounds.map(([fused]) => fused));
const layersStepMs = median(rounds.map(([, layers]) => layers));

// Self time by where the code lives, from V8's sampling profiler: WebAssembly is the kernels' arithmetic
// (ours and XNNPACK); the rest is JavaScript around them. (tf.profile's kernel times include the
// engine's work inside each kernel call, such as cloning the tensors a gradient keeps, so they cannot
// separate the two.)
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
for (let i = 0; i < STEPS; i++) step();
const { profile } = await session.post('Profiler.stop');
session.disconnect();

function where(url: string, name: string): string {
  if (url.startsWith('wasm')) return 'wasm';
  if (name === '(garbage collector)') return 'gc';
  if (name === 'randomUniform_' || /fused-layers\/dropout|packages\/random\//.test(url))
    return 'dropoutMasks';
  const tfjs = /@tensorflow\/(tfjs-[a-z-]+)\//.exec(url);
  if (tfjs) return tfjs[1]!;
  // A kernel written in JavaScript (its arithmetic, not wiring) until it moves to WebAssembly.
  if (/packages\/backend\/src\/kernels\/max-pool-grad/.test(url)) return 'fmnistMaxPoolGradJs';
  if (/packages\/backend\//.test(url)) return 'fmnistBackend';
  if (/packages\/training\//.test(url)) return 'fmnistTraining';
  return 'other';
}
const self = new Map<number, number>();
profile.samples?.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
const perStep: Record<string, number> = {};
for (const node of profile.nodes) {
  const key = where(node.callFrame.url, node.callFrame.functionName);
  perStep[key] = (perStep[key] ?? 0) + (self.get(node.id) ?? 0) / 1000 / STEPS;
}

const emit = (record: Record<string, unknown>) =>
  console.log(JSON.stringify({ ...record, shard: SHARD, backend: 'wasm', node: process.version }));
emit({ name: 'step.vgg.bn.shard', value: Number(stepMs.toFixed(1)), unit: 'ms' });
emit({ name: 'step.vgg.bn.shard.tfjsLayersPaths', value: Number(layersStepMs.toFixed(1)), unit: 'ms' });
emit({
  name: 'step.vgg.bn.shard.fusedSpeedup',
  value: Number((layersStepMs / stepMs).toFixed(2)),
  unit: 'x',
});
for (const [key, ms] of Object.entries(perStep).sort((a, b) => b[1] - a[1])) {
  emit({ name: `step.vgg.bn.shard.self.${key}`, value: Number(ms.toFixed(1)), unit: 'ms' });
}
tf.dispose([x, y]);
model.dispose();

// Our training step with Winograd (`auto`) and without (`never`), against the same network in PyTorch
// (reference/pytorch_train_step.py), for the seed model (cnn-mlp) and vgg at 2 and 1 threads: `pnpm
// bench:compare`. All are interleaved round by round, each round in another order, so that every figure sees
// the same machine. Prints one JSON object per line: each measurement with its round's ratios, then per
// network and thread count the medians over rounds of each speed, of Winograd's speedup (auto / never) and
// of ours / PyTorch, then a `compare.run` line with the run's duration (estimated 6-7 minutes on 2 cores: unmeasured).
// BENCH_ROUNDS (3), BENCH_STEPS (10), BENCH_THREADS (2,1), BENCH_MODELS (cnn-mlp,vgg); PYTORCH_ISA caps
// PyTorch's vector ISA (pytorch-reference.ts).
import { setWinogradPolicy, simdKernelChoice, WINOGRAD_ENV, type WinogradPolicy } from '@fmnist/backend';
import type { ModelArchitecture } from '@fmnist/model';
import { findPython, pytorchIsa, pytorchThroughput } from './pytorch-reference.js';
import { inferenceThroughput, trainingThroughput } from './training-throughput.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

function positiveIntegers(name: string, fallback: string): number[] {
  const text = process.env[name] || fallback;
  const values = text.split(',').map(Number);
  if (!values.every((value) => Number.isInteger(value) && value > 0)) {
    throw new Error(`${name}='${text}': expected positive integers separated by commas`);
  }
  return values;
}

// The networks as their recipes train them: the seed model plain (as its PyTorch twin), vgg with BatchNorm.
const BATCH_NORM: Readonly<Record<ModelArchitecture, boolean>> = { 'cnn-mlp': false, vgg: true };
const models = (process.env.BENCH_MODELS || 'cnn-mlp,vgg').split(',') as ModelArchitecture[];
for (const model of models) {
  if (!Object.hasOwn(BATCH_NORM, model)) {
    throw new Error(`BENCH_MODELS: '${model}' is not one of ${Object.keys(BATCH_NORM).join(', ')}`);
  }
}
const [rounds = 3] = positiveIntegers('BENCH_ROUNDS', '3');
const [steps = 10] = positiveIntegers('BENCH_STEPS', '10');
const threadCounts = positiveIntegers('BENCH_THREADS', '2,1');
const batch = 128;

/**
 * Sets the Winograd policy of this thread and of the worker threads a trainer starts from now on: a
 * worker's `process.env` is a copy of this one taken when it starts, and @fmnist/backend reads
 * FMNIST_WINOGRAD there (this thread's policy was read at its first convolution, hence the setter too).
 */
function useWinograd(policy: WinogradPolicy): void {
  process.env[WINOGRAD_ENV] = policy;
  setWinogradPolicy(policy);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const value = Number.isInteger(middle)
    ? (sorted[middle - 1]! + sorted[middle]!) / 2
    : sorted[Math.floor(middle)]!;
  return Number(value.toFixed(3));
}

const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

type Variant = 'never' | 'auto' | 'pytorch';
type Figures = Record<Variant, number[]>;

async function measure(variant: Variant, model: ModelArchitecture, threads: number, round: number) {
  if (variant === 'pytorch') {
    const value = pytorchThroughput(python!, { model, threads, batch, steps });
    emit({ name: 'pytorch.train.step', model, value, unit: 'img/s', isa: pytorchIsa, threads, batch, round });
    return value;
  }
  useWinograd(variant);
  const batchNorm = BATCH_NORM[model];
  const ours = await trainingThroughput({
    backend: 'wasm',
    architecture: model,
    batchNorm,
    workers: threads,
    batch,
    steps,
  });
  emit({
    name: 'train.step',
    model,
    winograd: variant,
    value: ours.value,
    unit: 'img/s',
    kernels: simdKernelChoice().build,
    workers: ours.workers,
    batchNorm,
    batch,
    round,
  });
  return ours.value;
}

/** The round's ratios of one network and thread count, from its figures of that round. */
function emitRatios(model: ModelArchitecture, threads: number, figures: Figures, round: number) {
  const at = (variant: Variant) => figures[variant][round]!;
  emit({
    name: 'compare.winograd.speedup',
    model,
    threads,
    value: ratio(at('auto'), at('never')),
    unit: 'auto/never',
    round,
  });
  if (!python) return;
  for (const winograd of ['never', 'auto'] as const) {
    const value = ratio(at(winograd), at('pytorch'));
    emit({
      name: 'compare.ratio',
      model,
      threads,
      winograd,
      value,
      unit: 'ours/pytorch',
      isa: pytorchIsa,
      round,
    });
  }
}

function emitMedians(model: ModelArchitecture, threads: number, figures: Figures) {
  const common = { model, threads, rounds, steps, batch };
  const perRound = (a: Variant, b: Variant) => figures[a].map((value, round) => value / figures[b][round]!);
  for (const winograd of ['never', 'auto'] as const) {
    emit({ name: 'train.step.median', ...common, winograd, value: median(figures[winograd]), unit: 'img/s' });
  }
  const speedup = median(perRound('auto', 'never'));
  emit({ name: 'compare.winograd.speedup.median', ...common, value: speedup, unit: 'auto/never' });
  if (!python) return;
  emit({
    name: 'pytorch.train.step.median',
    ...common,
    isa: pytorchIsa,
    value: median(figures.pytorch),
    unit: 'img/s',
  });
  for (const winograd of ['never', 'auto'] as const) {
    const value = median(perRound(winograd, 'pytorch'));
    emit({ name: 'compare.ratio.median', ...common, winograd, isa: pytorchIsa, value, unit: 'ours/pytorch' });
  }
}

const started = performance.now();
const python = findPython();
if (!python)
  emit({ name: 'compare.pytorch', skipped: 'no python3 with torch (apt-get install -y python3-torch)' });
const variants: Variant[] = python ? ['never', 'auto', 'pytorch'] : ['never', 'auto'];
const figures = new Map<string, Figures>();
const figuresOf = (model: ModelArchitecture, threads: number) => {
  const key = `${model} ${threads}`;
  if (!figures.has(key)) figures.set(key, { never: [], auto: [], pytorch: [] });
  return figures.get(key)!;
};

for (let round = 0; round < rounds; round++) {
  // Each round starts with another variant, so that none always runs first (or right after another).
  const order = [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)];
  for (const model of models) {
    for (const threads of threadCounts) {
      const own = figuresOf(model, threads);
      for (const variant of order) own[variant][round] = await measure(variant, model, threads, round);
      emitRatios(model, threads, own, round);
    }
  }
}

if (python) {
  // Inference of the seed model, batch 1024, one thread each (tfjs-wasm runs a model on one thread).
  useWinograd('auto');
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const ours = await inferenceThroughput(1024);
    const theirs = pytorchThroughput(python, {
      model: 'cnn-mlp',
      threads: 1,
      batch: 1024,
      steps: 3,
      inference: true,
    });
    ratios.push(ratio(ours, theirs));
    emit({
      name: 'inference',
      model: 'cnn-mlp',
      value: ours,
      unit: 'img/s',
      backend: 'wasm',
      batch: 1024,
      round,
    });
    emit({
      name: 'pytorch.inference',
      model: 'cnn-mlp',
      value: theirs,
      unit: 'img/s',
      threads: 1,
      batch: 1024,
      round,
    });
    emit({ name: 'compare.inference.ratio', value: ratios.at(-1), unit: 'ours/pytorch', threads: 1, round });
  }
  emit({
    name: 'compare.inference.ratio.median',
    value: median(ratios),
    unit: 'ours/pytorch',
    threads: 1,
    rounds,
  });
}

for (const model of models)
  for (const threads of threadCounts) emitMedians(model, threads, figuresOf(model, threads));
emit({
  name: 'compare.run',
  value: Number(((performance.now() - started) / 1000).toFixed(1)),
  unit: 's',
  rounds,
  steps,
});

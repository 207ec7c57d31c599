// Our training step against the same model in PyTorch (reference/pytorch_train_step.py), interleaved in
// one run so that both see the same machine: `pnpm bench:compare`. Prints one JSON object per line:
// each measurement, each pair's ratio, and the median ratio per thread count.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { simdKernelChoice } from '@fmnist/backend';
import { inferenceThroughput, trainingThroughput } from './training-throughput.js';

const emit = (record: Record<string, unknown>) => console.log(JSON.stringify(record));
const script = fileURLToPath(new URL('./reference/pytorch_train_step.py', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const steps = Number(process.env.BENCH_STEPS ?? 10);
const batch = 128;

/** A Python that can import torch: Debian's python3-torch lives in /usr/bin/python3. */
function findPython(): string | undefined {
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function pytorchThroughput(python: string, threads: number, extra: string[] = [], size = batch): number {
  const run = spawnSync(
    python,
    [script, '--threads', String(threads), '--batch', String(size), '--steps', String(steps), ...extra],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { value: number }).value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const python = findPython();
if (!python) {
  emit({ name: 'compare.pytorch', skipped: 'no python3 with torch (apt-get install -y python3-torch)' });
} else {
  for (const threads of [availableParallelism(), 1]) {
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const ours = await trainingThroughput({
        backend: 'wasm',
        workers: threads,
        batchNorm: false,
        batch,
        steps,
      });
      const theirs = pytorchThroughput(python, threads);
      const ratio = Number((ours.value / theirs).toFixed(3));
      ratios.push(ratio);
      emit({
        name: 'train.step',
        value: ours.value,
        unit: 'img/s',
        backend: 'wasm',
        kernels: simdKernelChoice().build,
        workers: ours.workers,
        batch,
        round,
      });
      emit({ name: 'pytorch.train.step', value: theirs, unit: 'img/s', threads, batch, round });
      emit({ name: 'compare.ratio', value: ratio, unit: 'ours/pytorch', threads, round });
    }
    emit({ name: 'compare.ratio.median', value: median(ratios), unit: 'ours/pytorch', threads, rounds });
  }
}

if (python) {
  // Inference, batch 1024, one thread each (tfjs-wasm runs a model on one thread).
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const ours = await inferenceThroughput(1024);
    const theirs = pytorchThroughput(python, 1, ['--inference'], 1024);
    const ratio = Number((ours / theirs).toFixed(3));
    ratios.push(ratio);
    emit({ name: 'inference', value: ours, unit: 'img/s', backend: 'wasm', batch: 1024, round });
    emit({ name: 'pytorch.inference', value: theirs, unit: 'img/s', threads: 1, batch: 1024, round });
    emit({ name: 'compare.inference.ratio', value: ratio, unit: 'ours/pytorch', threads: 1, round });
  }
  emit({
    name: 'compare.inference.ratio.median',
    value: median(ratios),
    unit: 'ours/pytorch',
    threads: 1,
    rounds,
  });
}

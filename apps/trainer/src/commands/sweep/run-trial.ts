import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SweepSpec, shouldPrune, type TrialResult } from '@fmnist/training/sweeps';
import { hasCheckpoint } from '../train/run.js';
import type { SweepTrial } from './sweep-plan.js';
import { otherCurves, readCurve, trialDir } from './sweep-store.js';

const APP_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const TRAIN_BIN = join(APP_DIR, 'bin/fmnist-train.ts');
const EXIT_WITH_PARENT = new URL('./exit-with-parent.ts', import.meta.url).href;
/** How often the run folder's history is read for a new epoch (an epoch lasts seconds to minutes). */
const POLL_MS = 500;

export interface TrialOptions {
  sweepDir: string;
  spec: SweepSpec;
  trial: SweepTrial;
  /** fmnist-train's `--workers` for the trial. */
  threads: number | 'auto';
  dataDir?: string;
  /** fmnist-train's `--checkpoint-minutes`: how much a lost worker can cost the trial's next attempt. */
  checkpointMinutes?: number;
  /** After each epoch: the metric's value (live progress; a queue's job progress). */
  onEpoch?: (epoch: number, value: number) => void | Promise<void>;
  /** Aborting stops the trial with a checkpoint (fmnist-train's SIGTERM) and rejects. */
  signal?: AbortSignal;
  /** This attempt's number, from 1, recorded in the result. */
  attempt?: number;
}

/** A trial whose fmnist-train failed: the message is its last error line. */
export class TrialFailure extends Error {
  override name = 'TrialFailure';
}

/**
 * Runs one trial as an `fmnist-train` child process in `trials/<id>/`, so it is exactly an fmnist-train
 * run: resumed from the folder's checkpoint when one is there (an earlier attempt's), its output in
 * `train.log`. Each epoch's metric is read from the folder's history.csv; the pruning rule may stop it
 * (SIGTERM: it checkpoints and exits). Resolves with a complete or pruned result; a failed run throws
 * `TrialFailure`.
 */
export async function runTrial(options: TrialOptions): Promise<TrialResult> {
  const { sweepDir, spec, trial } = options;
  const dir = trialDir(sweepDir, trial.id);
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const resume = await hasCheckpoint(dir);
  const args = resume ? ['--resume', dir] : await freshArgs(options, dir);
  const log = createWriteStream(join(dir, 'train.log'), { flags: 'a' });
  log.write(`--- attempt ${options.attempt ?? 1}: fmnist-train ${args.join(' ')}\n`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=fmnist-source', '--import', EXIT_WITH_PARENT, TRAIN_BIN, ...args],
    { cwd: APP_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, INIT_CWD: dir } },
  );
  let lastError = '';
  child.stdout.pipe(log, { end: false });
  child.stderr.on('data', (chunk: Buffer) => {
    log.write(chunk);
    const lines = chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim());
    if (lines.length) lastError = lines.at(-1)!;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop);
  let curve: number[] = [];
  let pruned: string | undefined;
  const epochs = trial.recipe.epochs;
  const poll = async () => {
    const now = await readCurve(dir, spec.metric);
    for (let e = curve.length; e < now.length; e++) await options.onEpoch?.(e + 1, now[e]!);
    if (now.length > curve.length && now.length < epochs && !pruned) {
      const decision = shouldPrune(
        spec.pruning,
        spec.metric,
        now,
        await otherCurves(sweepDir, trial.id, spec.metric),
      );
      if (decision.prune) {
        pruned = decision.reason;
        stop();
      }
    }
    curve = now;
  };
  let code: number | null = null;
  try {
    for (;;) {
      const done = await Promise.race([exited, sleep(POLL_MS).then(() => undefined)]);
      await poll();
      if (done !== undefined) {
        code = done;
        break;
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await new Promise((resolve) => log.end(resolve));
  }
  if (options.signal?.aborted) throw new TrialFailure(`trial ${trial.id}: stopped`);
  const base = {
    id: trial.id,
    values: trial.values,
    seed: trial.seed,
    curve,
    metric: curve.at(-1) ?? Number.NaN,
    runDir: relative(sweepDir, dir),
    attempts: options.attempt ?? 1,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  if (pruned) return { ...base, status: 'pruned', reason: pruned };
  if (code !== 0)
    throw new TrialFailure(
      `trial ${trial.id}: fmnist-train exited with ${code}: ${lastError || 'no message'}`,
    );
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as {
    summary: { testAccuracy: number };
  };
  return { ...base, status: 'complete', testAccuracy: report.summary.testAccuracy };
}

/** The command line of a trial's first attempt: its whole recipe as `--config`, its seed and budget. */
async function freshArgs(options: TrialOptions, dir: string): Promise<string[]> {
  const { trial, spec } = options;
  const recipeFile = join(dir, 'trial-recipe.json');
  await writeFile(recipeFile, `${JSON.stringify(trial.recipe, null, 2)}\n`);
  return [
    ...['--recipe', spec.base.recipe, '--config', recipeFile, '--seed', String(trial.seed)],
    ...['--out', dir, '--workers', String(options.threads), '--no-tensorboard'],
    ...(spec.budget.limit ? ['--limit', String(spec.budget.limit)] : []),
    ...(spec.budget.testLimit ? ['--test-limit', String(spec.budget.testLimit)] : []),
    ...(options.dataDir ? ['--data-dir', options.dataDir, '--no-download'] : []),
    ...(options.checkpointMinutes !== undefined
      ? ['--checkpoint-minutes', String(options.checkpointMinutes)]
      : []),
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

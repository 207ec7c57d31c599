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
  const args = (await hasCheckpoint(dir)) ? ['--resume', dir] : await freshArgs(options, dir);
  const train = startTrain(dir, args, options.attempt ?? 1);
  options.signal?.addEventListener('abort', train.stop);
  let curve: number[] = [];
  let pruned: string | undefined;
  let code: number | null;
  try {
    for (;;) {
      const exited = await Promise.race([train.exited, sleep(POLL_MS).then(() => undefined)]);
      const now = await readCurve(dir, spec.metric);
      for (let e = curve.length; e < now.length; e++) await options.onEpoch?.(e + 1, now[e]!);
      if (now.length > curve.length && now.length < trial.recipe.epochs && !pruned) {
        pruned = (await pruneDecision(options, now)).reason;
        if (pruned) train.stop();
      }
      curve = now;
      if (exited !== undefined) {
        code = exited;
        break;
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', train.stop);
    await train.closeLog();
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
      `trial ${trial.id}: fmnist-train exited with ${code}: ${train.lastError() || 'no message'}`,
    );
  const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as {
    summary: { testAccuracy: number };
  };
  return { ...base, status: 'complete', testAccuracy: report.summary.testAccuracy };
}

/** The pruning rule's verdict on a trial's curve so far, against the sweep's other trials. */
async function pruneDecision({ sweepDir, spec, trial }: TrialOptions, curve: number[]) {
  return shouldPrune(spec.pruning, spec.metric, curve, await otherCurves(sweepDir, trial.id, spec.metric));
}

/**
 * fmnist-train as a child process in run folder `dir`, its output appended to `train.log` there. It dies
 * with this process (`exit-with-parent.ts`); `stop` asks it to checkpoint and exit (SIGTERM).
 */
function startTrain(dir: string, args: string[], attempt: number) {
  const log = createWriteStream(join(dir, 'train.log'), { flags: 'a' });
  log.write(`--- attempt ${attempt}: fmnist-train ${args.join(' ')}\n`);
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
  return {
    exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
    stop: () => {
      child.kill('SIGTERM');
    },
    lastError: () => lastError,
    closeLog: () => new Promise((resolve) => log.end(resolve)),
  };
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

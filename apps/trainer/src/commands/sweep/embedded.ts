import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { TrialResult } from '@fmnist/training/sweeps';
import { makeRunDirectory } from '../train/run-directory.js';
import { runTrial, TrialFailure } from './run-trial.js';
import type { SweepPlan, SweepTrial } from './sweep-plan.js';
import { writeSweepReport } from './sweep-report.js';
import { readResults, recordSweep, writeResult } from './sweep-store.js';

export interface EmbeddedOptions {
  /** The sweep's folder: run folders, results and reports. */
  out: string;
  /** Trials at once (each one process). */
  parallel?: number;
  /** fmnist-train `--workers` per trial; default the cores shared out among the parallel trials. */
  threads?: number | 'auto';
  dataDir?: string;
  checkpointMinutes?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Runs a sweep on this machine: `parallel` trials at a time, each an fmnist-train child process. Trials
 * already recorded in `out` (an earlier, stopped sweep) are kept, unfinished ones resume from their
 * checkpoints; a trial is tried `spec.attempts` times before it is recorded as failed. Returns the
 * results best first, after writing the reports.
 */
export async function runSweep(plan: SweepPlan, options: EmbeddedOptions): Promise<TrialResult[]> {
  const { spec } = plan;
  const log = options.log ?? console.log;
  const parallel = options.parallel ?? 1;
  await makeRunDirectory(options.out);
  await recordSweep(options.out, spec, '--out');
  const done = await readResults(options.out);
  if (done.size) log(`sweep ${spec.name}: ${done.size} trial(s) already recorded in ${options.out}`);
  const todo = plan.trials.filter((t) => !done.has(t.id));
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / parallel));
  const next = () => todo.shift();
  const runOne = async (trial: SweepTrial): Promise<TrialResult> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await runTrial({
          sweepDir: options.out,
          spec,
          trial,
          threads,
          dataDir: options.dataDir,
          checkpointMinutes: options.checkpointMinutes,
          attempt,
          signal: options.signal,
          onEpoch: (epoch, value) =>
            log(`${trial.id} epoch ${epoch}/${trial.recipe.epochs}: ${spec.metric} ${value.toFixed(4)}`),
        });
      } catch (error) {
        if (!(error instanceof TrialFailure) || options.signal?.aborted) throw error;
        log(`${trial.id} attempt ${attempt}/${spec.attempts} failed: ${error.message}`);
        if (attempt >= spec.attempts) return failedResult(trial, error.message, attempt);
      }
    }
  };
  const lane = async () => {
    for (let trial = next(); trial; trial = next()) {
      const result = await runOne(trial);
      await writeResult(options.out, result);
      done.set(result.id, result);
      log(
        `${trial.id} ${result.status}${Number.isFinite(result.metric) ? `: ${spec.metric} ${result.metric.toFixed(4)}` : ''}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, todo.length) }, lane));
  return writeSweepReport(options.out, spec, [...done.values()]);
}

/** The record of a trial that failed every attempt. */
export function failedResult(trial: SweepTrial, reason: string, attempts: number): TrialResult {
  return {
    id: trial.id,
    status: 'failed',
    values: trial.values,
    seed: trial.seed,
    curve: [],
    metric: Number.NaN,
    runDir: join('trials', trial.id),
    reason,
    attempts,
    seconds: 0,
  };
}

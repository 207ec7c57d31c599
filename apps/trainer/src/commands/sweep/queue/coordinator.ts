import { join } from 'node:path';
import type { TrialResult } from '@fmnist/training/sweeps';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from '../../../cli/exit-codes.js';
import { makeRunDirectory } from '../../train/run-directory.js';
import { failedResult } from '../embedded.js';
import type { SweepPlan } from '../sweep-plan.js';
import { writeSweepReport } from '../sweep-report.js';
import { readResults, recordSweep, writeResult } from '../sweep-store.js';
import { lockSweep } from './coordinator-lock.js';
import { checkRedis, connectionOptions, type QueueAddress, watchRedis } from './queue-url.js';
import { jobId, type TrialJob, type TrialProgress } from './trial-job.js';

export interface CoordinatorOptions {
  queue: QueueAddress;
  store: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** How often the coordinator looks at its trials' jobs and the store. */
const POLL_MS = 1000;
/** A finished BullMQ job is kept this long (seconds) for a restarted coordinator to see; results are in the store. */
const KEEP_JOBS_S = 7 * 24 * 3600;

/**
 * Puts a sweep's unfinished trials on the queue (one job per trial; adding it again finds the same job)
 * and follows them until every trial has a result in the store, printing each epoch as workers report
 * it. Holds the sweep's coordinator lock meanwhile. Stopped (`signal`), it leaves the jobs to the
 * workers: run again, it picks up where they are. Returns the trials best first and the sweep's folder.
 */
export async function coordinate(
  plan: SweepPlan,
  options: CoordinatorOptions,
): Promise<{ ranked: TrialResult[]; sweepDir: string }> {
  const { spec, trials } = plan;
  const { queue } = options;
  const log = options.log ?? console.log;
  const sweepDir = join(options.store, spec.name);
  await makeRunDirectory(sweepDir, '--store');
  await recordSweep(sweepDir, spec, '--store');
  await checkRedis(queue);
  const redis = new Redis(connectionOptions(queue));
  redis.on('error', () => {}); // reconnects; the jobs' polling waits for it
  const release = await lockSweep(redis, `fmnist-sweep:${queue.name}:${spec.name}:coordinator`).catch(
    async (error: unknown) => {
      redis.disconnect();
      throw error;
    },
  );
  const jobs = new Queue<TrialJob>(queue.name, { connection: connectionOptions(queue) });
  jobs.on('error', () => {});
  const watch = watchRedis(queue);
  try {
    return await Promise.race([follow(), watch.lost]);
  } finally {
    watch.close();
    await release();
    await Promise.race([jobs.close(), sleep(5000)]);
    redis.disconnect();
  }

  async function follow() {
    let results = await readResults(sweepDir);
    if (results.size) log(`sweep ${spec.name}: ${results.size} of ${trials.length} trials already recorded`);
    for (const trial of trials.filter((t) => !results.has(t.id)))
      await jobs.add(
        'trial',
        { sweep: spec, trial },
        {
          jobId: jobId(spec.name, trial.id),
          attempts: spec.attempts,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: { age: KEEP_JOBS_S },
          removeOnFail: { age: KEEP_JOBS_S },
        },
      );
    log(
      `sweep ${spec.name}: ${trials.length - results.size} trial(s) on ${queue.shown}; run folders in ${sweepDir}`,
    );
    const shown = new Map<string, string>();
    while (results.size < trials.length && !options.signal?.aborted) {
      for (const trial of trials.filter((t) => !results.has(t.id))) {
        const job = await jobs.getJob(jobId(spec.name, trial.id));
        const state = job ? await job.getState() : 'missing';
        const progress = job?.progress as TrialProgress | number | undefined;
        const line =
          typeof progress === 'object' && progress
            ? `${trial.id} ${state}: epoch ${progress.epoch}/${progress.epochs} ${spec.metric} ${progress.value.toFixed(4)} (${progress.worker})`
            : `${trial.id} ${state}`;
        if (shown.get(trial.id) !== line) log(line);
        shown.set(trial.id, line);
        // A job BullMQ gave up on without a worker recording it (it lost its worker too often).
        if (state === 'failed' && job && !(await readResults(sweepDir)).has(trial.id))
          await writeResult(sweepDir, failedResult(trial, job.failedReason, job.attemptsMade));
      }
      results = await readResults(sweepDir);
      if (results.size < trials.length) await sleep(POLL_MS);
    }
    if (options.signal?.aborted)
      throw new UsageError('stopped; the workers go on, run the same command to follow them again');
    return { ranked: await writeSweepReport(sweepDir, spec, [...results.values()]), sweepDir };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

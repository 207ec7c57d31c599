import { hostname } from 'node:os';
import { join } from 'node:path';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import { makeRunDirectory } from '../../train/run-directory.js';
import { failedResult } from '../embedded.js';
import { runTrial, TrialFailure } from '../run-trial.js';
import { readResult, writeResult } from '../sweep-store.js';
import { checkRedis, connectionOptions, type QueueAddress, watchRedis } from './queue-url.js';
import { LOCK_MS, MAX_STALLED, STALLED_INTERVAL_MS, type TrialJob, type TrialProgress } from './trial-job.js';

export interface WorkerOptions {
  queue: QueueAddress;
  /** The shared folder: each sweep's run folders and results under `<store>/<sweep name>/`. */
  store: string;
  threads?: number | 'auto';
  dataDir?: string;
  checkpointMinutes?: number;
  signal?: AbortSignal;
  /** Exit once nothing is waiting, delayed or running on the queue (a batch job's pod; else run until stopped). */
  untilEmpty?: boolean;
  log?: (line: string) => void;
}

/** How often an idle `untilEmpty` worker asks whether the queue is empty. */
const IDLE_CHECK_MS = 2000;

/**
 * Takes trials from the queue one at a time until `signal` aborts, each an fmnist-train child process
 * writing its run folder under the store, so a retried trial (this worker or another one died) resumes
 * from its last checkpoint there. Each epoch's metric becomes the job's progress; the result goes to
 * the store before the job completes, so a trial finished once is never trained again.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { queue, store } = options;
  const log = options.log ?? console.log;
  await makeRunDirectory(store, '--store');
  await checkRedis(queue);
  const name = `${hostname()}:${process.pid}`;
  const current = new AbortController();
  const worker = new Worker<TrialJob>(queue.name, (job, token) => processTrial(job, token), {
    connection: connectionOptions(queue),
    concurrency: 1,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED,
    autorun: false,
  });
  // Reconnecting to a restarted Redis repeats the same error every try: say it once.
  let lastError = '';
  worker.on('error', (error) => {
    if (error.message !== lastError) log(`worker: ${error.message}`);
    lastError = error.message;
  });
  async function processTrial(job: Job<TrialJob>, token?: string) {
    const { sweep, trial } = job.data;
    const sweepDir = join(store, sweep.name);
    const recorded = await readResult(sweepDir, trial.id);
    if (recorded) return recorded;
    const attempt = job.attemptsMade + 1;
    log(`${sweep.name}/${trial.id}: attempt ${attempt}/${sweep.attempts} on ${name}`);
    try {
      const result = await runTrial({
        sweepDir,
        spec: sweep,
        trial,
        threads: options.threads ?? 'auto',
        dataDir: options.dataDir,
        checkpointMinutes: options.checkpointMinutes,
        attempt,
        signal: current.signal,
        onEpoch: async (epoch, value) => {
          const progress: TrialProgress = { epoch, epochs: trial.recipe.epochs, value, worker: name };
          await job.updateProgress(progress as unknown as object);
        },
      });
      await writeResult(sweepDir, result);
      log(`${sweep.name}/${trial.id}: ${result.status}, ${sweep.metric} ${result.metric}`);
      return result;
    } catch (error) {
      if (current.signal.aborted && token) {
        // Stopped with its checkpoint: back on the queue at once, not counted as a failed attempt.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (error instanceof TrialFailure && attempt >= sweep.attempts)
        await writeResult(sweepDir, failedResult(trial, error.message, attempt));
      log(`${sweep.name}/${trial.id}: ${(error as Error).message}`);
      throw error;
    }
  }
  let busy = false;
  worker.on('active', () => {
    busy = true;
  });
  for (const event of ['completed', 'failed'] as const)
    worker.on(event, () => {
      busy = false;
    });
  let idleCheck: NodeJS.Timeout | undefined;
  const counts = options.untilEmpty
    ? new Queue(queue.name, { connection: connectionOptions(queue) })
    : undefined;
  counts?.on('error', () => {});
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      current.abort();
      resolve();
    };
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop);
    // Running jobs count too: if their worker dies, one still here takes them over.
    idleCheck =
      counts &&
      setInterval(async () => {
        if (busy) return;
        const left = await counts.getJobCounts('wait', 'delayed', 'prioritized', 'active', 'paused');
        if (Object.values(left).every((n) => n === 0)) {
          log(`worker ${name}: the queue is empty, stopping`);
          resolve();
        }
      }, IDLE_CHECK_MS);
  });
  log(`worker ${name}: taking trials from ${queue.shown}, run folders under ${store}`);
  const running = worker.run();
  const watch = watchRedis(queue);
  try {
    await Promise.race([stopped, watch.lost]);
  } finally {
    current.abort(); // lost Redis: the trial saves a checkpoint for whoever takes it next
    watch.close();
    clearInterval(idleCheck);
    await Promise.race([worker.close(), sleep(10_000)]);
    await Promise.race([running, sleep(1000)]);
    await counts?.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

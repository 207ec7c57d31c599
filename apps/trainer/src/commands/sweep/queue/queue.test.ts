import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCheckpoint } from '../../train/run.js';
import { readResults, trialDir } from '../sweep-store.js';
import {
  DATA_DIR,
  freePort,
  hasData,
  hasRedis,
  startRedis,
  startSweep,
  waitFor,
  writeTinySweep,
} from '../testing.js';

if (!hasRedis)
  console.warn(
    'SKIPPED the queue-mode sweep test: redis-server is not installed (apt-get install redis-server)',
  );
if (!hasData) console.warn(`SKIPPED the queue-mode sweep test: no Fashion-MNIST in ${DATA_DIR}`);
let root: string;
const processes: ChildProcess[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fmnist-sweep-queue-'));
});
afterAll(async () => {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe.skipIf(!hasRedis || !hasData)('fmnist-sweep on a BullMQ queue, workers as processes', () => {
  it('finishes every trial once through a worker killed mid-trial (resumed, not restarted), a Redis restart, a coordinator restart; fails a bad trial after its attempts', async () => {
    const redisDir = join(root, 'redis');
    await mkdir(redisDir);
    const port = await freePort();
    let redis = await startRedis(port, redisDir);
    processes.push(redis);
    const ids = ['t000', 't001', 't002', 't003', 't004'];
    const file = await writeTinySweep(root, {
      name: 'queue',
      // t004's network does not exist: fmnist-train refuses it on every attempt.
      parameters: {
        'model.architecture': { list: ['cnn-mlp', 'cnn-mlp', 'cnn-mlp', 'cnn-mlp', 'nope'] },
        seed: { list: [1, 2, 3, 4, 5] },
      },
      attempts: 2,
    });
    const store = join(root, 'store');
    const sweepDir = join(store, 'queue');
    const queue = `redis://127.0.0.1:${port}/sweeps`;
    const start = (args: string[]) => {
      const run = startSweep(args);
      processes.push(run.child);
      return run;
    };
    // Checkpoints every 1.2 s: a killed worker's trial has one to resume from.
    const workerArgs = [
      'worker',
      '--queue',
      queue,
      '--store',
      store,
      '--data-dir',
      DATA_DIR,
      '--workers',
      '1',
      '--checkpoint-minutes',
      '0.02',
    ];
    const workers = [start(workerArgs), start(workerArgs)];
    const coordinatorArgs = ['run', file, '--queue', queue, '--store', store];
    const first = start(coordinatorArgs);
    await waitFor('the trials on the queue', () => first.output().includes('trial(s) on redis'));

    const second = start(coordinatorArgs);
    expect(await second.exited).toBe(2);
    expect(second.output()).toMatch(/^fmnist-sweep: another coordinator \(.* pid \d+\) runs this sweep/);

    // A trial between its first checkpoint and its end: kill -9 the worker running it.
    const results = () => readResults(sweepDir);
    const victim = await waitFor('a trial with a checkpoint', async () => {
      const done = await results();
      for (const id of ids.slice(0, 4)) {
        if (done.has(id) || !(await hasCheckpoint(trialDir(sweepDir, id)))) continue;
        const worker = workers.find((w) => w.output().includes(`queue/${id}: attempt 1/2`));
        if (worker) return { id, worker };
      }
      return undefined;
    });
    victim.worker.child.kill('SIGKILL');

    // The coordinator stops (its trials go on), Redis restarts from its append-only file, both come back.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(143);
    redis.kill('SIGTERM');
    await once(redis, 'exit');
    redis = await startRedis(port, redisDir);
    processes.push(redis);
    const lastWorker = start([...workerArgs, '--until-empty']);
    workers.push(lastWorker);
    const restarted = start(coordinatorArgs);
    expect(await restarted.exited, restarted.output()).toBe(0);

    const recorded = await results();
    expect([...recorded.keys()].sort()).toEqual(ids);
    for (const id of ids.slice(0, 4))
      expect(recorded.get(id)).toMatchObject({ status: 'complete', curve: [expect.any(Number)] });
    expect(recorded.get('t004')).toMatchObject({ status: 'failed', attempts: 2 });
    expect(recorded.get('t004')!.reason).toContain(
      "model.architecture must be one of cnn-mlp, vgg, got 'nope'",
    );
    // Every trial completed by exactly one worker, once.
    const log = workers.map((w) => w.output()).join('\n');
    for (const id of ids.slice(0, 4)) expect(log.split(`queue/${id}: complete`)).toHaveLength(2);
    // The killed trial went on from its checkpoint: a second attempt that resumed, one history row.
    const dir = trialDir(sweepDir, victim.id);
    const trainLog = await readFile(join(dir, 'train.log'), 'utf8');
    expect(trainLog.match(/^--- attempt/gm)).toHaveLength(2);
    expect(trainLog).toMatch(/--- attempt 1: fmnist-train --resume /);
    expect(trainLog).toContain('resumed from');
    expect(JSON.parse(await readFile(join(dir, 'model', 'provenance.json'), 'utf8'))).toMatchObject({
      resumed: true,
    });
    expect((await readFile(join(dir, 'history.csv'), 'utf8')).trim().split('\n')).toHaveLength(2);
    expect(restarted.output()).toContain('results: ');
    // A batch job's worker stops by itself once the queue is empty.
    expect(await lastWorker.exited).toBe(0);
    expect(lastWorker.output()).toContain('the queue is empty, stopping');
    for (const w of workers) w.child.kill('SIGTERM');
  }, 170_000);
});

import { describe, expect, it, vi } from 'vitest';
import { TrainingError } from '../errors.js';
import { smallConvModel } from '../testing/small-conv-model.js';
import { tf } from '../testing/tf.js';
import type { InitMessage, StepMessage, ToWorker } from './protocol.js';
import { ReplicaPool } from './replica-pool.js';
import { DataParallelTrainer } from './trainer.js';
import type { ReplicaListeners, WorkerTransport } from './transport.js';

/** Workers that answer after `answerMs`, until `silent` is set: then they never answer (a vanished Web Worker). */
function fakeTransport(answerMs: number) {
  const state = { silent: false, startSilent: false, terminated: 0 };
  const transport: WorkerTransport = {
    kind: 'fake threads',
    availableThreads: () => 2,
    spawn() {
      let listeners: ReplicaListeners | undefined;
      return {
        listen: (l) => {
          listeners = l;
        },
        postMessage(message: ToWorker) {
          if (message.type === 'init' && !state.startSilent)
            setTimeout(() => listeners!.message({ type: 'ready', backend: 'cpu' }), 1);
          if (message.type === 'step' && !state.silent)
            setTimeout(
              () =>
                listeners!.message({
                  type: 'result',
                  id: message.id,
                  grads: [],
                  loss: 1,
                  correct: 0,
                  count: 4,
                }),
              answerMs,
            );
        },
        terminate: async () => {
          state.terminated++;
        },
      };
    },
  };
  return { transport, state };
}

const init = { type: 'init', topology: '{}', backend: 'cpu', setupModules: [] } as unknown as InitMessage;
const shard = (): Omit<StepMessage, 'type' | 'id'> => ({
  weights: [],
  x: new Float32Array(4),
  xShape: [4, 1],
  y: new Float32Array(4),
  yShape: [4, 1],
});

describe('ReplicaPool answer deadlines', () => {
  it('treats a worker that stops answering as lost, naming it, in that step and every later one', async () => {
    const { transport, state } = fakeTransport(2);
    const pool = await ReplicaPool.start(transport, 2, init, 300);
    expect((await pool.step(0, shard())).loss).toBe(1);
    state.silent = true;
    const late = pool.step(1, shard());
    await expect(late).rejects.toThrow(TrainingError);
    await expect(late).rejects.toThrow(
      'data-parallel worker 2 of 2 (fake threads) did not answer a step of 4 samples within 0.3 s',
    );
    expect(pool.lost()?.message).toContain('worker 2 of 2');
    await expect(pool.step(1, shard())).rejects.toThrow('did not answer a step');
    await pool.close();
    expect(state.terminated).toBe(2);
  });

  it('follows the answers seen: after quick steps, a silent worker is given up long before the first limit', async () => {
    const { transport, state } = fakeTransport(5);
    const pool = await ReplicaPool.start(transport, 1, init, { firstMs: 60_000, factor: 4, minMs: 200 });
    for (let i = 0; i < 3; i++) await pool.step(0, shard());
    state.silent = true;
    const started = performance.now();
    await expect(pool.step(0, shard())).rejects.toThrow('within 0.2 s');
    expect(performance.now() - started).toBeLessThan(30_000);
    await pool.close();
  });

  it('starts over when the timer itself was held up (a suspended laptop), not the worker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { transport, state } = fakeTransport(2);
      const starting = ReplicaPool.start(transport, 1, init, 1_000);
      await vi.advanceTimersByTimeAsync(1);
      const pool = await starting;
      state.silent = true;
      let outcome = 'pending';
      pool.step(0, shard()).catch(() => {
        outcome = 'lost';
      });
      // The machine sleeps for a minute: the clock jumps, then the timer fires late.
      vi.setSystemTime(Date.now() + 60_000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(outcome).toBe('pending');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(outcome).toBe('lost');
      await pool.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up on a worker that never starts, and stops the workers it started', async () => {
    const { transport, state } = fakeTransport(1);
    state.startSilent = true;
    await expect(ReplicaPool.start(transport, 2, init, 100)).rejects.toThrow(
      'data-parallel worker 1 of 2 (fake threads) did not start within 0.1 s',
    );
    expect(state.terminated).toBe(2);
  });
});

describe('DataParallelTrainer.create replicaTimeoutMs', () => {
  it('refuses a limit that is not a positive number, naming the option', async () => {
    await tf.setBackend('cpu');
    const { transport } = fakeTransport(1);
    for (const replicaTimeoutMs of [0, -5, Number.NaN, '60000' as unknown as number]) {
      await expect(
        DataParallelTrainer.create(smallConvModel(1), { transport, replicaTimeoutMs }),
      ).rejects.toThrow(/replicaTimeoutMs must be a positive number of milliseconds \(or Infinity\), got/);
    }
  });
});

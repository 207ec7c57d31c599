import type { BackendName, SimdKernelChoice } from '@fmnist/backend';
import { TrainingError } from '../errors.js';
import { AnswerDeadline, type DeadlinePolicy, type RequestKind } from './answer-deadline.js';
import type { EvaluateMessage, FromWorker, InitMessage, StepMessage } from './protocol.js';
import type { ReplicaWorker, WorkerTransport } from './transport.js';

export type ShardResult = Extract<FromWorker, { type: 'result' }>;
export type EvaluatedShare = Extract<FromWorker, { type: 'evaluated' }>;

/** What a replica said when it started: its backend and which build of the conv kernels it runs. */
export interface ReplicaInfo {
  backend: BackendName;
  kernels?: SimdKernelChoice;
}

interface Pending {
  resolve: (result: ShardResult | EvaluatedShare) => void;
  reject: (error: Error) => void;
}

/** A timer that fires this much after its time was held up, not the worker (a suspended laptop, a frozen tab). */
const HELD_UP_MS = 5_000;

/**
 * Runs `onLate` unless `settle` is called within `ms` (an infinite limit sets no timer). A timer that
 * fires well after its time starts over instead.
 */
function deadline(ms: number, onLate: () => void): () => void {
  if (!Number.isFinite(ms)) return () => {};
  let timer: ReturnType<typeof setTimeout>;
  const arm = () => {
    const due = Date.now() + ms;
    timer = setTimeout(() => (Date.now() - due > HELD_UP_MS ? arm() : onLate()), ms);
  };
  arm();
  return () => clearTimeout(timer);
}

const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(3))} s`;

/** One replica: its thread, its requests in flight, and why it is gone when it is. */
class Replica {
  readonly pending = new Map<number, Pending>();
  lost: TrainingError | undefined;
  info: ReplicaInfo | undefined;
  private starting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    readonly name: string,
    readonly worker: ReplicaWorker,
  ) {}

  start(init: InitMessage, limitMs: number): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      this.starting = { resolve, reject };
      this.worker.postMessage(init, []);
    });
    const settle = deadline(limitMs, () =>
      this.lose(new TrainingError(`${this.name} did not start within ${seconds(limitMs)}`)),
    );
    return started.finally(settle);
  }

  onMessage(message: FromWorker) {
    if (message.type === 'ready') {
      this.info = { backend: message.backend, ...(message.kernels ? { kernels: message.kernels } : {}) };
      this.starting?.resolve();
      this.starting = undefined;
    } else if (message.type === 'result' || message.type === 'evaluated') {
      this.pending.get(message.id)?.resolve(message);
      this.pending.delete(message.id);
    } else {
      const error = new TrainingError(`${this.name}: ${message.message}`);
      const request = message.id === undefined ? undefined : this.pending.get(message.id);
      if (request) {
        request.reject(error);
        this.pending.delete(message.id!);
      } else if (this.starting) {
        this.starting.reject(new TrainingError(`${this.name} failed to start: ${message.message}`));
        this.starting = undefined;
      } else this.lose(error);
    }
  }

  /** The replica is gone: every request in flight, and every later one, fails naming it. */
  lose(error: TrainingError) {
    this.lost ??= error;
    this.starting?.reject(error);
    this.starting = undefined;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/**
 * The trainer's replicas: started through a transport, each request routed to its replica, and a replica
 * that dies (an uncaught error, an exit) named in the error of the step it breaks and of every later one.
 */
export class ReplicaPool {
  private nextId = 0;
  private closing = false;

  private constructor(
    private readonly replicas: Replica[],
    private readonly deadline: AnswerDeadline,
  ) {}

  /**
   * `answerLimit`: how long a replica may take to answer before it counts as lost, in ms (`Infinity`:
   * no limit), or a policy that follows its answers.
   */
  static async start(
    transport: WorkerTransport,
    count: number,
    init: InitMessage,
    answerLimit?: number | DeadlinePolicy,
  ): Promise<ReplicaPool> {
    const replicas: Replica[] = [];
    const pool = new ReplicaPool(replicas, new AnswerDeadline(answerLimit));
    try {
      for (let index = 0; index < count; index++) replicas.push(pool.spawn(transport, index, count));
      const limitMs = pool.deadline.limitMs('start', 1);
      await Promise.all(replicas.map((replica) => replica.start(init, limitMs)));
    } catch (error) {
      // Workers already started would keep a Node process or a page's threads alive: stop them.
      await pool.close();
      throw error;
    }
    return pool;
  }

  private spawn(transport: WorkerTransport, index: number, count: number): Replica {
    const name = `data-parallel worker ${index + 1} of ${count} (${transport.kind})`;
    const replica = new Replica(name, transport.spawn(index));
    replica.worker.listen({
      message: (message) => replica.onMessage(message),
      error: (error) => replica.lose(new TrainingError(`${name} died: ${error.message}`, { cause: error })),
      exit: (code) => {
        if (!this.closing)
          replica.lose(new TrainingError(`${name} exited${code === undefined ? '' : ` with code ${code}`}`));
      },
    });
    return replica;
  }

  get size(): number {
    return this.replicas.length;
  }

  get infos(): ReplicaInfo[] {
    return this.replicas.map((replica) => replica.info!);
  }

  /** The first replica lost, if any. */
  lost(): TrainingError | undefined {
    return this.replicas.find((replica) => replica.lost)?.lost;
  }

  /** Sends replica `index` a shard to train on; the shard's `x` and `y` buffers move to it. */
  step(index: number, message: Omit<StepMessage, 'type' | 'id'>): Promise<ShardResult> {
    return this.request(index, { type: 'step', ...message }) as Promise<ShardResult>;
  }

  /** Sends replica `index` samples to evaluate; their `x` and `y` buffers move to it. */
  evaluate(index: number, message: Omit<EvaluateMessage, 'type' | 'id'>): Promise<EvaluatedShare> {
    return this.request(index, { type: 'evaluate', ...message }) as Promise<EvaluatedShare>;
  }

  private request(
    index: number,
    message: Omit<StepMessage, 'id'> | Omit<EvaluateMessage, 'id'>,
  ): Promise<ShardResult | EvaluatedShare> {
    const replica = this.replicas[index]!;
    if (replica.lost) return Promise.reject(replica.lost);
    const id = this.nextId++;
    const kind: RequestKind = message.type;
    const samples = message.xShape[0] ?? 1;
    const limitMs = this.deadline.limitMs(kind, samples);
    const sent = performance.now();
    const answered = new Promise<ShardResult | EvaluatedShare>((resolve, reject) => {
      replica.pending.set(id, { resolve, reject });
      replica.worker.postMessage({ ...message, id } as StepMessage | EvaluateMessage, [
        message.x.buffer as ArrayBuffer,
        message.y.buffer as ArrayBuffer,
      ]);
    });
    const settle = deadline(limitMs, () =>
      replica.lose(
        new TrainingError(
          `${replica.name} did not answer a ${kind} of ${samples} samples within ${seconds(limitMs)}; it is treated as lost (a browser can end a Web Worker, for memory, without an error event)`,
        ),
      ),
    );
    return answered.finally(settle).then((result) => {
      this.deadline.record(kind, samples, performance.now() - sent);
      return result;
    });
  }

  /** Fails what is in flight with `error` and stops every thread; closing twice is harmless. */
  async close(error = new TrainingError('DataParallelTrainer: disposed while a step was running')) {
    if (this.closing) return;
    this.closing = true;
    for (const replica of this.replicas) replica.lose(error);
    await Promise.all(
      this.replicas.map(async (replica) => {
        try {
          replica.worker.postMessage({ type: 'close' }, []);
        } catch {
          // A thread that is already gone cannot be told; terminating it is enough.
        }
        await replica.worker.terminate();
      }),
    );
  }
}

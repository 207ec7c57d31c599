/** When a replica that has not answered a request counts as lost. */
export interface DeadlinePolicy {
  /** Limit until a replica has answered a request of that kind once (startup, the first step's JIT). */
  firstMs: number;
  /** Later limits: `factor` times the slowest answer per sample so far, times the request's samples… */
  factor: number;
  /** …but never under `minMs`. */
  minMs: number;
}

/** Ten minutes for a first answer, then twenty times the slowest so far and at least two minutes. */
const DEFAULT_DEADLINES: DeadlinePolicy = { firstMs: 600_000, factor: 20, minMs: 120_000 };

export type RequestKind = 'start' | 'step' | 'evaluate';

/**
 * How long a replica may take to answer: a fixed limit, or one that follows the slowest answers seen, per
 * kind of request and per sample (a browser can end a Web Worker, for memory, without any event, so a
 * step would otherwise wait forever).
 */
export class AnswerDeadline {
  private readonly slowestPerSample = new Map<RequestKind, number>();

  constructor(private readonly limit: number | DeadlinePolicy = DEFAULT_DEADLINES) {}

  limitMs(kind: RequestKind, samples: number): number {
    if (typeof this.limit === 'number') return this.limit;
    const slowest = this.slowestPerSample.get(kind);
    if (slowest === undefined) return this.limit.firstMs;
    return Math.max(this.limit.minMs, this.limit.factor * slowest * Math.max(1, samples));
  }

  record(kind: RequestKind, samples: number, elapsedMs: number): void {
    const perSample = elapsedMs / Math.max(1, samples);
    this.slowestPerSample.set(kind, Math.max(this.slowestPerSample.get(kind) ?? 0, perSample));
  }
}

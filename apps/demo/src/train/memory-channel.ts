import type { ThreadMemory } from './thread-memory.js';

/**
 * The gradient workers are `DataParallelTrainer`'s, and every message on their own port is the trainer's
 * (it takes anything unknown for an error): their memory figures travel on a channel of their own.
 * A `BroadcastChannel` reaches them without a port handed over, and only within this page's origin.
 */
const CHANNEL = 'fmnist-demo-thread-memory';

type ChannelMessage =
  | { type: 'query'; id: number }
  | { type: 'answer'; id: number; thread: string; memory: ThreadMemory };

/** Browsers before 2022 (Safari 15.3) have no BroadcastChannel: memory is then not asked, training goes on. */
const available = typeof BroadcastChannel !== 'undefined';

/** Answers every query on the channel with `read()`; for threads whose owner the page cannot ask. */
export function answerMemoryQueries(read: () => ThreadMemory): void {
  if (!available) return;
  // Not crypto.randomUUID(): that needs a secure context, and a page on plain http trains too.
  const thread = Math.random().toString(36).slice(2);
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
    if (event.data.type !== 'query') return;
    const answer: ChannelMessage = { type: 'answer', id: event.data.id, thread, memory: read() };
    channel.postMessage(answer);
  };
}

/** Asks the answering threads for their figures; each keeps its place (first to answer first). */
export class MemoryQuery {
  private readonly channel = available ? new BroadcastChannel(CHANNEL) : undefined;
  private readonly places = new Map<string, number>();
  private nextId = 0;

  /** The figures of up to `threads` threads, as many as answered within `timeoutMs`. */
  ask(threads: number, timeoutMs: number): Promise<ThreadMemory[]> {
    const channel = this.channel;
    if (!channel) return Promise.resolve([]);
    const id = this.nextId++;
    const answers = new Map<string, ThreadMemory>();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        channel.onmessage = null;
        for (const thread of answers.keys())
          if (!this.places.has(thread)) this.places.set(thread, this.places.size);
        resolve(
          [...answers]
            .sort(([a], [b]) => this.places.get(a)! - this.places.get(b)!)
            .map(([, memory]) => memory),
        );
      };
      const timer = setTimeout(done, timeoutMs);
      channel.onmessage = (event: MessageEvent<ChannelMessage>) => {
        const message = event.data;
        if (message.type !== 'answer' || message.id !== id) return;
        answers.set(message.thread, message.memory);
        if (answers.size === threads) done();
      };
      const query: ChannelMessage = { type: 'query', id };
      channel.postMessage(query);
    });
  }

  close(): void {
    this.channel?.close();
  }
}

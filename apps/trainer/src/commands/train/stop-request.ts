import { SIGNAL_EXIT } from '../../cli/exit-codes.js';

/** The signals that stop fmnist-train: Ctrl-C, and a process manager's or a container's stop. */
export type StopSignal = keyof typeof SIGNAL_EXIT;

/** A terminal signals the whole process group and launchers (pnpm) relay it again: copies this close are one request. */
const SAME_REQUEST_MS = 1000;

/** What a run asks of a stop request: whether a signal asked it to stop, and when training starts. */
export interface StopControl {
  /** Polled after every batch: the signal that asked training to checkpoint and stop, if one did. */
  requested(): StopSignal | undefined;
  /** From now on a signal means "checkpoint and stop". */
  trainingStarted?(): void;
}

/**
 * Ctrl-C and SIGTERM for fmnist-train. Until training starts there is nothing to save: the process
 * ends at once. Once it trains, a signal asks it to finish the batch and save a checkpoint
 * (`requested()` says which came); another more than a second later quits at once.
 */
export class StopRequest implements StopControl {
  private signal: StopSignal | undefined;
  private training = false;
  private receivedAt = 0;
  private readonly exit: (code: number) => void;
  private readonly now: () => number;

  constructor({
    exit = (code) => process.exit(code),
    now = Date.now,
  }: { exit?: (code: number) => void; now?: () => number } = {}) {
    this.exit = exit;
    this.now = now;
  }

  /** Handles SIGINT and SIGTERM for the process from now on. */
  listen(): this {
    for (const signal of Object.keys(SIGNAL_EXIT) as StopSignal[])
      process.on(signal, () => this.receive(signal));
    return this;
  }

  requested(): StopSignal | undefined {
    return this.signal;
  }

  trainingStarted(): void {
    this.training = true;
  }

  receive(signal: StopSignal): void {
    if (!this.training) {
      console.error(`\n${signal}: stopped before training started; nothing to save`);
      this.exit(SIGNAL_EXIT[signal]);
      return;
    }
    if (this.signal) {
      if (this.now() - this.receivedAt > SAME_REQUEST_MS) this.exit(SIGNAL_EXIT[this.signal]);
      return;
    }
    this.signal = signal;
    this.receivedAt = this.now();
    console.error(
      `\n${signal}: finishing the current batch, then saving a checkpoint (again to quit at once)`,
    );
  }
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { StopRequest } from './stop-request.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A stop request whose `exit` is recorded and whose clock the test moves. */
function request() {
  const exits: number[] = [];
  let now = 0;
  const stop = new StopRequest({ exit: (code) => exits.push(code), now: () => now });
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  return { stop, exits, errors, wait: (ms: number) => (now += ms) };
}

describe('StopRequest', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s before training starts ends the process at once with %i: nothing to save',
    (signal, code) => {
      const { stop, exits, errors } = request();
      stop.receive(signal);
      expect(exits).toEqual([code]);
      expect(errors.mock.calls.join('\n')).toContain(
        `${signal}: stopped before training started; nothing to save`,
      );
    },
  );

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s during training asks for a checkpoint (exit %i), once for copies within a second',
    (signal, code) => {
      const { stop, exits, errors, wait } = request();
      stop.trainingStarted();
      expect(stop.requested()).toBeUndefined();
      stop.receive(signal);
      wait(200);
      // The relayed copy (pnpm passes the terminal's signal on): the same request.
      stop.receive(signal);
      expect(stop.requested()).toBe(signal);
      expect(exits).toEqual([]);
      expect(errors.mock.calls.join('\n')).toContain(
        `${signal}: finishing the current batch, then saving a checkpoint`,
      );
      wait(2000);
      stop.receive(signal);
      expect(exits).toEqual([code]);
    },
  );
});

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { UsageError } from '../../../cli/exit-codes.js';

/** A coordinator that died without releasing its lock blocks a new one for at most this long. */
const LOCK_TTL_MS = 15_000;
const REFRESH_MS = LOCK_TTL_MS / 3;
// Only the holder's token may extend or delete the lock (Redis's documented single-instance lock pattern).
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Takes the one-coordinator lock of a sweep (a Redis key with a TTL, renewed while this process lives),
 * or throws a `UsageError` saying who holds it. Returns the release function.
 */
export async function lockSweep(redis: Redis, key: string): Promise<() => Promise<void>> {
  const token = `${hostname()}:${process.pid}:${randomUUID()}`;
  const taken = await redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX');
  if (taken !== 'OK') {
    const holder = (await redis.get(key))?.split(':').slice(0, 2).join(' pid ');
    throw new UsageError(
      `another coordinator (${holder ?? 'just released'}) runs this sweep (${key}); its lock lapses ${LOCK_TTL_MS / 1000} s after it stops`,
    );
  }
  const timer = setInterval(() => {
    redis.eval(EXTEND, 1, key, token, LOCK_TTL_MS).catch(() => {}); // a Redis restart: next renewal
  }, REFRESH_MS);
  return async () => {
    clearInterval(timer);
    await redis.eval(RELEASE, 1, key, token).catch(() => {});
  };
}

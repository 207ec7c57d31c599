import { Redis, type RedisOptions } from 'ioredis';
import { UnavailableError, UsageError } from '../../../cli/exit-codes.js';

/** A BullMQ queue on a Redis server, as `--queue redis://[:PASSWORD@]HOST:PORT/NAME` names it. */
export interface QueueAddress {
  host: string;
  port: number;
  password?: string;
  /** The BullMQ queue's name (the URL's path; Redis database 0). */
  name: string;
  /** The URL without its password, for messages. */
  shown: string;
}

/** How long the first connection may take before the command gives up (ioredis would retry forever). */
const CONNECT_TIMEOUT_MS = 3000;
/**
 * Once running, a lost Redis (a restart, a failover) is waited for: reconnect every ≤ 2 s for about
 * 10 minutes, then give up (ioredis's default is to retry forever).
 */
const RECONNECT_DELAY_MS = 2000;
const RECONNECT_ATTEMPTS = 300;

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--queue must be redis://HOST:PORT/NAME, found '${text}'`);
  }
  const name = decodeURIComponent(url.pathname.slice(1));
  if (url.protocol !== 'redis:' || !url.hostname || !/^[\w.-]+$/.test(name))
    throw new UsageError(
      `--queue must be redis://HOST:PORT/NAME (NAME of letters, digits, _ . -), found '${text}'`,
    );
  const port = Number(url.port || 6379);
  return {
    host: url.hostname,
    port,
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    name,
    shown: `redis://${url.hostname}:${port}/${name}`,
  };
}

/** ioredis options for BullMQ's connections: reconnect through a Redis restart, for a bounded time. */
export function connectionOptions(queue: QueueAddress): RedisOptions {
  return {
    host: queue.host,
    port: queue.port,
    password: queue.password,
    // BullMQ's workers block on Redis and require this (its docs: "maxRetriesPerRequest must be null").
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => (times > RECONNECT_ATTEMPTS ? null : Math.min(times * 200, RECONNECT_DELAY_MS)),
  };
}

/**
 * Connects once with a short timeout and no retries, then disconnects: an unreachable Redis is an
 * `UnavailableError` naming it (exit code 69) before any work starts.
 */
export async function checkRedis(queue: QueueAddress): Promise<void> {
  const redis = new Redis({
    ...connectionOptions(queue),
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  // ioredis rejects connect() with "Connection is closed."; the socket's error says why.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    cause ??= error as Error;
    throw new UnavailableError(`--queue ${queue.shown}: cannot reach Redis (${cause.message})`, { cause });
  } finally {
    redis.disconnect();
  }
}

/**
 * A connection that says when Redis is lost for good (ioredis stopped reconnecting after the bound
 * above): `lost` rejects then with an `UnavailableError`, so a worker or coordinator exits (69) rather
 * than wait forever. `close()` ends the watch.
 */
export function watchRedis(queue: QueueAddress): { lost: Promise<never>; close: () => void } {
  const redis = new Redis(connectionOptions(queue));
  redis.on('error', () => {}); // reconnecting; only the end matters
  let closing = false;
  const lost = new Promise<never>((_, reject) =>
    redis.on('end', () => {
      if (!closing)
        reject(
          new UnavailableError(
            `--queue ${queue.shown}: lost Redis and could not reconnect (${RECONNECT_ATTEMPTS} tries)`,
          ),
        );
    }),
  );
  lost.catch(() => {}); // awaited by the caller's race, if at all
  return {
    lost,
    close: () => {
      closing = true;
      redis.disconnect();
    },
  };
}

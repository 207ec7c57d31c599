type ProcessLike = {
  listeners(event: string): unknown[];
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
};

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

// The glue's handlers: `if (!(ex instanceof ExitStatus)) throw ex` and `function (reason) { throw reason }`.
function isEmscriptenRethrow(listener: unknown): boolean {
  const source = String(listener);
  return /ExitStatus/.test(source) || /\{\s*throw reason;?\s*\}/.test(source);
}

/**
 * tfjs-backend-wasm's Emscripten glue installs `uncaughtException` and `unhandledRejection` handlers in
 * Node that rethrow from inside the glue, so Node prints the glue's source line (one long minified line
 * in bundles) before any uncaught error of the user's, and a rejection becomes an exception. This
 * removes the handlers that `init` added, leaving Node's defaults and the user's own handlers alone.
 */
export async function withoutEmscriptenHandlers<T>(init: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: ProcessLike }).process;
  if (!proc || typeof proc.listeners !== 'function') return init();
  const before = new Map(EVENTS.map((event) => [event, new Set(proc.listeners(event))]));
  try {
    return await init();
  } finally {
    for (const event of EVENTS) {
      for (const listener of proc.listeners(event)) {
        if (!before.get(event)!.has(listener) && isEmscriptenRethrow(listener))
          proc.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

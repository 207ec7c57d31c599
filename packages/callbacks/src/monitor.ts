import { CallbackError } from './errors.js';
import type { Logs } from './logs.js';

export type Mode = 'auto' | 'min' | 'max';

/**
 * 'auto' watches for a maximum when the monitored name is an accuracy (Keras: "acc" in the name), else
 * a minimum. Returns whether larger is better.
 */
export function resolveMode(mode: Mode, monitor: string, where: string): boolean {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new CallbackError(`${where}: mode must be 'auto', 'min' or 'max', got '${String(mode)}'`);
  }
  return mode === 'max' || (mode === 'auto' && monitor.includes('acc'));
}

/** The "best so far" before any value: every value improves on it. */
export function unsetBest(higherIsBetter: boolean): number {
  return higherIsBetter ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** tfjs hands callbacks logs whose values may still be scalar tensors: read them as numbers. */
export async function resolveLogs(logs: Logs | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs ?? {})) {
    if (typeof value === 'number') out[key] = value;
    else if (value && typeof (value as { data?: unknown }).data === 'function') {
      out[key] = ((await (value as { data(): Promise<ArrayLike<number>> }).data()) as ArrayLike<number>)[0]!;
    }
  }
  return out;
}

/** The value of `monitor` in tfjs logs, which name accuracy `acc`: 'val_accuracy' also finds 'val_acc'. */
export function monitored(logs: Record<string, unknown> | undefined, monitor: string): number | undefined {
  if (!logs) return undefined;
  const keys = [monitor, monitor.replace(/accuracy$/, 'acc'), monitor.replace(/acc$/, 'accuracy')];
  for (const key of keys) {
    const value = logs[key];
    if (typeof value === 'number') return value;
  }
  return undefined;
}

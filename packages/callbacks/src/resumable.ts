import { CallbackError } from './errors.js';
/** JSON-safe counters of a callback (non-finite numbers are saved as `null`). */
export type CallbackState = Record<string, number | null>;

/**
 * A callback whose counters can go into a checkpoint and come back on resume, so a resumed run reduces
 * the learning rate, stops early and keeps "best" checkpoints exactly as the uninterrupted run would.
 * Call `setState` before training restarts; the next `onTrainBegin` keeps the restored counters.
 */
export interface ResumableCallback {
  getState(): CallbackState;
  setState(state: CallbackState): void;
}

export function isResumable(callback: unknown): callback is ResumableCallback {
  const c = callback as Partial<ResumableCallback> | null;
  return typeof c?.getState === 'function' && typeof c.setState === 'function';
}

/** `value` for JSON: infinities (a "best" not yet set) become null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Reads `state[key]`: null gives `ifNull`; anything but a finite number is an error naming the field. */
export function stateNumber(
  owner: string,
  state: CallbackState,
  key: string,
  ifNull: number,
  { integer = false } = {},
): number {
  const value = state[key];
  if (value === null) return ifNull;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !(Number.isInteger(value) && value >= 0))
  )
    throw new CallbackError(
      `${owner}.setState: ${key} must be ${integer ? 'an integer ≥ 0' : 'a finite number or null'}, got ${JSON.stringify(value)}`,
    );
  return value;
}

import { AugmentError } from './errors.js';

export type FillMode = 'constant' | 'nearest' | 'reflect' | 'wrap';
export const FILL_MODES: readonly FillMode[] = ['constant', 'nearest', 'reflect', 'wrap'];

export function checkFillMode(mode: unknown, where: string): FillMode {
  if (!FILL_MODES.includes(mode as FillMode)) {
    throw new AugmentError(
      `${where}: unknown fillMode '${String(mode)}'; expected one of ${FILL_MODES.join(', ')}`,
    );
  }
  return mode as FillMode;
}

/**
 * Maps an integer index outside [0, n) back inside as scipy.ndimage's modes do (Keras fills through
 * scipy): nearest repeats the edge (a a | a b c d | d d), reflect mirrors about the edge including it
 * (b a | a b c d | d c), wrap repeats periodically (c d | a b c d | a b). Constant is handled by callers.
 */
export function mapIndex(i: number, n: number, mode: FillMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'nearest' || mode === 'constant') return i < 0 ? 0 : n - 1;
  if (mode === 'wrap') return ((i % n) + n) % n;
  const period = 2 * n;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

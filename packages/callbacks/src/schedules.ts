import { CallbackError } from './errors.js';
export interface OneCycleOptions {
  maxLR: number;
  totalSteps: number;
  /** Fraction of the steps spent rising to maxLR. Default 0.3. */
  pctStart?: number;
  /** initialLR = maxLR / divFactor. Default 25. */
  divFactor?: number;
  /** minLR = initialLR / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
}

// Defaults and the cosine annealing of PyTorch's OneCycleLR (torch/optim/lr_scheduler.py), two-phase.
const ONE_CYCLE_DEFAULTS = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 } as const;

function cosineAnneal(start: number, end: number, fraction: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * fraction) + 1);
}

/** The one-cycle learning rate at `step` (0-based): a cosine rise to maxLR, then a cosine fall. */
export function oneCycleLR(step: number, options: OneCycleOptions): number {
  const { maxLR, totalSteps } = options;
  const pctStart = options.pctStart ?? ONE_CYCLE_DEFAULTS.pctStart;
  const initial = maxLR / (options.divFactor ?? ONE_CYCLE_DEFAULTS.divFactor);
  const minimum = initial / (options.finalDivFactor ?? ONE_CYCLE_DEFAULTS.finalDivFactor);
  if (!(maxLR > 0) || !Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new CallbackError(
      `oneCycle: maxLR must be > 0 and totalSteps a positive integer, got ${maxLR}, ${totalSteps}`,
    );
  }
  if (!(pctStart > 0 && pctStart < 1))
    throw new CallbackError(`oneCycle: pctStart must be in (0, 1), got ${pctStart}`);
  const peak = pctStart * totalSteps - 1;
  const last = totalSteps - 1;
  const s = Math.min(Math.max(step, 0), last);
  if (s <= peak) return cosineAnneal(initial, maxLR, peak > 0 ? s / peak : 1);
  return cosineAnneal(maxLR, minimum, (s - peak) / (last - peak));
}

export interface CosineDecayOptions {
  initialLR: number;
  decaySteps: number;
  /** The floor, as a fraction of the rate decayed from. Default 0. */
  alpha?: number;
  warmupSteps?: number;
  /** Rate reached at the end of a linear warmup from initialLR; the decay starts from it. */
  warmupTarget?: number;
}

/** Keras 3's CosineDecay (keras/optimizers/schedules): optional linear warmup, then cosine to alpha. */
export function cosineDecayLR(step: number, options: CosineDecayOptions): number {
  const { initialLR, decaySteps, alpha = 0, warmupSteps = 0, warmupTarget } = options;
  if (!(initialLR >= 0) || !Number.isInteger(decaySteps) || decaySteps < 1) {
    throw new CallbackError(
      `cosineDecay: initialLR must be ≥ 0 and decaySteps a positive integer, got ${initialLR}, ${decaySteps}`,
    );
  }
  const decay = (s: number, from: number) => {
    const fraction = Math.min(s, decaySteps) / decaySteps;
    return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha);
  };
  if (warmupTarget === undefined) return decay(step, initialLR);
  if (step < warmupSteps) return initialLR + (warmupTarget - initialLR) * (step / warmupSteps);
  return decay(step - warmupSteps, warmupTarget);
}

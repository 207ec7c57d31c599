import { createRng, permutation, shuffleInPlace } from '@fmnist/random';
import { DatasetError } from './errors.js';
import { type ImageSet, selectSamples } from './image-set.js';

export interface SplitOptions {
  /** Seed of the shuffle that picks the validation samples. Default 0. */
  seed?: number;
  /** Keep each class's share the same in both parts. Default true. */
  stratify?: boolean;
}

/**
 * Splits off `fraction` of the samples for validation, picked by a seeded shuffle. Every sample lands in
 * exactly one part; both parts keep the original order of the samples they hold.
 */
export function splitValidation(
  set: ImageSet,
  fraction: number,
  { seed = 0, stratify = true }: SplitOptions = {},
): { train: ImageSet; validation: ImageSet } {
  if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
    throw new DatasetError(`splitValidation: fraction must be in [0, 1), got ${fraction}`);
  }
  const rng = createRng(seed);
  const isValidation = new Uint8Array(set.count);
  if (stratify) {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < set.count; i++) {
      const label = set.labels[i]!;
      const members = byClass.get(label);
      if (members) members.push(i);
      else byClass.set(label, [i]);
    }
    for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = shuffleInPlace(byClass.get(label)!, rng);
      const take = Math.round(members.length * fraction);
      for (let k = 0; k < take; k++) isValidation[members[k]!] = 1;
    }
  } else {
    const order = permutation(set.count, rng);
    const take = Math.round(set.count * fraction);
    for (let k = 0; k < take; k++) isValidation[order[k]!] = 1;
  }
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i < set.count; i++) (isValidation[i] ? validation : train).push(i);
  return { train: selectSamples(set, train), validation: selectSamples(set, validation) };
}

/** The first `count` samples (all when the set is smaller): for smoke runs on a subset. */
export function takeSamples(set: ImageSet, count: number): ImageSet {
  if (!Number.isInteger(count) || count < 1) {
    throw new DatasetError(`takeSamples: count must be a positive integer, got ${count}`);
  }
  if (count >= set.count) return set;
  return selectSamples(set, permutation(count));
}

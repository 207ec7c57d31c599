import { randomArray } from './tf.js';

/** Values whose sums, products and quotients have edge cases: NaN, infinities, signed zeros, zero. */
const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 2, -3];

/** Random values with SPECIAL ones every `period` places (two coprime periods meet in every pair). */
export function withSpecialValues(length: number, seed: number, period: number): Float32Array {
  const values = randomArray(length, seed);
  for (let i = 0; i < length; i += period) values[i] = SPECIAL[(i / period) % SPECIAL.length]!;
  return values;
}

/** Each value as a string that tells -0 from 0 (toEqual alone passes them as equal). */
export function signedValues(values: Float32Array): string[] {
  return Array.from(values, (v) => (Object.is(v, -0) ? '-0' : String(v)));
}

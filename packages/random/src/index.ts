/**
 * A small seeded generator (mulberry32) whose whole state is one 32-bit number, so a run can save it
 * and resume the exact same stream. Same seed, same numbers, on every platform.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number;
  /** The state to pass to `createRng` to continue this stream. */
  readonly state: number;
}

const INCREMENT = 0x6d2b79f5;

/** mulberry32's output for one state, in [0, 1). */
function output(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + INCREMENT) >>> 0;
    return output(state);
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    uniform: (low, high) => low + (high - low) * next(),
    get state() {
      return state;
    },
  };
}

/**
 * Fills `target` with the stream `createRng(seed).next()` would give, about four times as fast as calling
 * it once per element (noise masks of a million values); returns the state that continues the stream.
 */
export function fillUniform(target: Float32Array | Float64Array, seed: number): number {
  let state = seed >>> 0;
  for (let i = 0; i < target.length; i++) {
    state = (state + INCREMENT) >>> 0;
    target[i] = output(state);
  }
  return state;
}

/** Fisher–Yates shuffle of `array` in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = array[i]!;
    array[i] = array[j]!;
    array[j] = tmp;
  }
  return array;
}

/** `[0, 1, ..., n-1]`, shuffled when an rng is given. */
export function permutation(n: number, rng?: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return rng ? shuffleInPlace(order, rng) : order;
}
export { mixSeed } from './mix-seed.js';

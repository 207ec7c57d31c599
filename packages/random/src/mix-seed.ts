/**
 * Mixes two integers into a well-spread 32-bit seed (a murmur3 finalizer): the seed of part `b` of
 * something seeded with `a` (a batch of an epoch, a shard of a batch), so that nearby inputs give
 * unrelated streams, unlike `seed * 1000 + epoch` (seed 1 at epoch 1000 is seed 2 at epoch 0).
 */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

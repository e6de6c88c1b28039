/**
 * A small seeded pseudo-random generator (mulberry32) so that simulated loss, duplication and jitter are the same
 * on every run with the same seed. Not for cryptography.
 */
export type Prng = () => number

/** Returns a generator of numbers in [0, 1) determined by the 32-bit `seed`. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Mixes a seed with a label (FNV-1a) so each simulated link direction gets its own independent stream. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

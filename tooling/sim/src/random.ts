import { createPrng, type Prng } from '@wesh/transport-ble'

/**
 * The simulation's only source of choices (which nodes split, stop, write): seeded, so a schedule printed with its
 * seed is generated again, step for step, from that seed.
 */
export class SeededRandom {
  readonly seed: number
  readonly #next: Prng

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)
      throw new RangeError(`seed must be an integer from 0 to 2^32 - 1, got ${String(seed)}`)
    this.seed = seed
    this.#next = createPrng(seed)
  }

  /** A number in [0, 1). */
  next(): number {
    return this.#next()
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1))
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list')
    return items[this.int(0, items.length - 1)] as T
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, count)
  }
}

/** A fresh 32-bit seed, for runs that do not give one (it is printed, so the run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000)
}

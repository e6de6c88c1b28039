import { erase } from '@wesh/crypto'

/**
 * Message keys derived past but not used yet, so late and out-of-order messages still open (PROTOCOL.md §3).
 * Bounded: the oldest keys are evicted and erased first. Keys arrive in ascending counter order, so the
 * Map's insertion order is counter order.
 */
export class SkippedKeys {
  readonly #keys = new Map<number, Uint8Array>()
  readonly #capacity: number

  constructor(capacity: number) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#keys.size
  }

  get(counter: number): Uint8Array | undefined {
    return this.#keys.get(counter)
  }

  /** Adds `key`, evicting and erasing the oldest keys beyond the capacity. */
  add(counter: number, key: Uint8Array): void {
    this.#keys.set(counter, key)
    while (this.#keys.size > this.#capacity) {
      const [oldest, oldestKey] = this.#keys.entries().next().value as [number, Uint8Array]
      erase(oldestKey)
      this.#keys.delete(oldest)
    }
  }

  /** Removes and erases the key of `counter`: it is spent. */
  spend(counter: number): void {
    erase(this.#keys.get(counter))
    this.#keys.delete(counter)
  }

  entries(): IterableIterator<[number, Uint8Array]> {
    return this.#keys.entries()
  }

  clear(): void {
    for (const key of this.#keys.values()) erase(key)
    this.#keys.clear()
  }
}

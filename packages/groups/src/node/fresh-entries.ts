import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { unrefTimer } from './unref-timer.js'

/** Fresh entries kept decoded per log at most (about 2 KiB each for 1 KiB messages). */
export const MAX_FRESH_ENTRIES = 10_000
/** Fresh entries no one read within this time after the last was kept are dropped. */
export const FRESH_ENTRIES_TTL_MS = 60_000

/**
 * Entries a catch-up has just decoded, checked and stored, kept decoded until the first read through the log:
 * the group session walks every entry a catch-up brought right after OrbitDB joins its head, and reading them back
 * from storage (block read, replication decryption, two CBOR decodes with their hashes) cost 0.2 ms an entry here,
 * about a sixth of a catch-up. Each is read once, then forgotten; what no one reads goes after a while (a replica
 * never reads its entries).
 */
export class FreshEntries {
  readonly #entries = new Map<string, LogEntry<EventsPayload>>()
  #timer: ReturnType<typeof setTimeout> | undefined
  #lastKept = 0

  /** Keeps a decoded entry; beyond `MAX_FRESH_ENTRIES` the newer are kept (a catch-up stores newest first). */
  keep(entry: LogEntry<EventsPayload>): void {
    if (this.#entries.size >= MAX_FRESH_ENTRIES) return
    this.#entries.set(entry.hash, entry)
    this.#lastKept = Date.now()
    if (this.#timer === undefined) this.#expireLater(FRESH_ENTRIES_TTL_MS)
  }

  /** The entry if it is still kept; it is forgotten here. */
  take(hash: string): LogEntry<EventsPayload> | undefined {
    const entry = this.#entries.get(hash)
    if (entry !== undefined) this.#entries.delete(hash)
    return entry
  }

  clear(): void {
    this.#entries.clear()
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #expireLater(ms: number): void {
    this.#timer = setTimeout(() => {
      const idle = Date.now() - this.#lastKept
      if (idle >= FRESH_ENTRIES_TTL_MS) this.clear()
      else this.#expireLater(FRESH_ENTRIES_TTL_MS - idle)
    }, ms)
    unrefTimer(this.#timer)
  }
}

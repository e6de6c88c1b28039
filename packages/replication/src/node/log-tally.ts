import type { EventsDatabase } from '@orbitdb/core'
import { MAX_REPORTED_HEADS } from '../constants.js'
import type { LogReplicaStatus } from '../replica-status.js'

/**
 * Counts the entries and stored bytes of one log, incrementally: each refresh walks back from the heads and
 * stops at entries already counted, so following a log of n entries costs O(n) in all, not per update.
 * The hashes counted are kept; they are also the blocks to delete when the group is removed.
 */
export class LogTally {
  readonly #log: EventsDatabase
  readonly #known = new Set<string>()
  #bytes = 0
  #heads: string[] = []
  #running: Promise<void> | undefined
  #again = false

  constructor(log: EventsDatabase) {
    this.#log = log
  }

  get status(): LogReplicaStatus {
    return { entries: this.#known.size, bytes: this.#bytes, heads: this.#heads.slice(0, MAX_REPORTED_HEADS) }
  }

  /** Hashes of every entry counted. */
  get hashes(): ReadonlySet<string> {
    return this.#known
  }

  /** Brings the counts up to the log's current heads; concurrent calls share one walk and one follow-up. */
  refresh(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false
          await this.#walk()
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by refresh() during the walk
        } while (this.#again)
      } finally {
        this.#running = undefined
      }
    })()
    return this.#running
  }

  async #walk(): Promise<void> {
    const heads = (await this.#log.log.heads()).map((entry) => entry.hash)
    const stack = [...heads]
    for (let hash = stack.pop(); hash !== undefined; hash = stack.pop()) {
      if (this.#known.has(hash)) continue
      const entry = await this.#log.log.get(hash)
      if (entry === undefined) continue // not stored yet: a later refresh counts it
      const block = await this.#log.log.storage.get(hash)
      this.#known.add(hash)
      this.#bytes += block?.byteLength ?? 0
      stack.push(...entry.next)
    }
    this.#heads = heads
  }
}

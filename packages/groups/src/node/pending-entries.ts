import type { Storage } from '@orbitdb/core'

/** Checks an OrbitDB entry signature: hex signature, hex public key, the signed bytes (OrbitDB's `identity.verify`). */
export type EntrySignatureVerifier = (
  signature: string,
  publicKey: string,
  data: Uint8Array,
) => Promise<boolean>

/** Caught-up heads not in the log yet whose records are kept (a head whose join keeps failing is dropped oldest first). */
export const CAUGHT_UP_HEADS_KEPT = 1_000

/**
 * The entries a catch-up has checked and stored, waiting for OrbitDB's join of their head (README "Log sync").
 * When the catch-up could not bring the whole path (the fallback), OrbitDB's join walks them: with this it finds
 * each access check done, each block in memory and each "is it in the log?" answered without a disk read (the
 * writer signature it checks again: 53 µs with libsecp256k1 was not worth keeping every signed entry in memory).
 * Records are spent as the join uses them, and all are dropped when the catch-up ends, joined or not — except what
 * each caught-up head has behind it, kept until that head is in the log.
 */
export class PendingEntries {
  readonly #admitted = new Set<string>()
  readonly #blocks = new Map<string, Uint8Array>()
  /**
   * Per head a catch-up brought and not in the log yet: the entries of the log its walk stopped at, all of them
   * behind that head. Kept past the catch-up, which may end before the head joins (its join failed, to be retried).
   */
  readonly #behind = new Map<string, ReadonlySet<string>>()
  #heads: Storage | undefined

  /** Records that the entry with this hash passed the access controller. */
  admit(hash: string): void {
    this.#admitted.add(hash)
  }

  /** Whether the entry was admitted by log sync; the record is spent. */
  takeAdmitted(hash: string | undefined): boolean {
    return hash !== undefined && this.#admitted.delete(hash)
  }

  /** Records a block stored and not yet in the log's index. */
  stored(hash: string, bytes: Uint8Array): void {
    this.#blocks.set(hash, bytes)
  }

  /**
   * Records the entries of the log a catch-up of `head` reached, each an ancestor of `head`: once `head` is in the
   * log, none of them may be a head (see {@link PendingEntries.indexStorage}). `held` are the entries the catch-up
   * is about to index: what an earlier catch-up of one of them reached is behind `head` too, and carried over.
   */
  behind(head: string, reached: ReadonlySet<string>, held: Iterable<string> = []): void {
    const covered = new Set(reached)
    for (const hash of held) {
      for (const older of this.#behind.get(hash) ?? []) covered.add(older)
      this.#behind.delete(hash)
    }
    this.#behind.delete(head) // re-inserted last: the oldest records are the ones dropped past the limit
    this.#behind.set(head, covered)
    for (const [oldest] of this.#behind) {
      if (this.#behind.size <= CAUGHT_UP_HEADS_KEPT) break
      this.#behind.delete(oldest)
    }
  }

  clear(): void {
    this.#admitted.clear()
    this.#blocks.clear()
  }

  /** The log's entry storage, reading pending blocks from memory. */
  entryStorage(storage: Storage & { persist?: (hash: string) => Promise<void> }): Storage {
    const { persist } = storage
    return {
      ...storage,
      get: (hash) => {
        const block = this.#blocks.get(hash)
        return block === undefined ? storage.get(hash) : Promise.resolve(block)
      },
      ...(persist === undefined
        ? {}
        : {
            // OrbitDB's last step for each joined entry: the block is no longer pending after it.
            persist: (hash: string) => {
              this.#blocks.delete(hash)
              return persist(hash)
            },
          }),
    }
  }

  /** The log's heads storage, as given to OrbitDB: corrected when a caught-up head lands (see `indexStorage`). */
  headsStorage(storage: Storage): Storage {
    this.#heads = storage
    return storage
  }

  /**
   * The log's index, answering "not in the log" for pending entries without reading the disk; and once a head a
   * catch-up brought is in the index, no entry behind it stays a head.
   */
  indexStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.#blocks.has(hash) ? Promise.resolve(undefined) : storage.get(hash)),
      put: async (hash, data) => {
        await storage.put(hash, data)
        this.#blocks.delete(hash) // in the log now
        await this.#dropHeadsBehind(hash)
      },
    }
  }

  /**
   * OrbitDB's join drops the heads it meets walking back from the new head through entries not in the log yet; a
   * catch-up adds those entries to the index beforehand, so the walk ends at once, and an old head further back than
   * the new head's references stayed a head beside it for good, on this replica alone (RESILIENCE.md bug 11). The
   * head that lands may also be a later one, whose join walks the caught-up head (the 50-device simulation). OrbitDB
   * 4.0.0 indexes an entry after writing the new head, inside its join's lock, and keeps the heads as one JSON list of
   * `{ hash, next }` under `heads`: corrected here, before the join goes on.
   */
  async #dropHeadsBehind(hash: string): Promise<void> {
    const covered = this.#behind.get(hash)
    if (covered === undefined || this.#heads === undefined) return
    this.#behind.delete(hash)
    const stored = await this.#heads.get('heads')
    if (stored === undefined) return
    const heads = JSON.parse(new TextDecoder().decode(stored)) as { hash: string }[]
    const kept = heads.filter((head) => !covered.has(head.hash))
    if (kept.length < heads.length)
      await this.#heads.put('heads', new TextEncoder().encode(JSON.stringify(kept)))
  }
}

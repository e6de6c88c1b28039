import type { Storage } from '@orbitdb/core'
import { HEADS_KEY, readStoredHeads, storedHeadsBytes } from './stored-heads.js'

/** Checks an OrbitDB entry signature: hex signature, hex public key, the signed bytes (OrbitDB's `identity.verify`). */
export type EntrySignatureVerifier = (
  signature: string,
  publicKey: string,
  data: Uint8Array,
) => Promise<boolean>

/**
 * The entries a catch-up has checked and stored, waiting for OrbitDB's join of their head (README "Log sync").
 * When the catch-up could not bring the whole path (the fallback), OrbitDB's join walks them: with this it finds
 * each access check done, each block in memory and each "is it in the log?" answered without a disk read (the
 * writer signature it checks again: 53 µs with libsecp256k1 was not worth keeping every signed entry in memory).
 * Records are spent as the join uses them, and all are dropped when the catch-up ends, joined or not.
 */
export class PendingEntries {
  readonly #admitted = new Set<string>()
  readonly #blocks = new Map<string, Uint8Array>()
  /** Per head a catch-up brought: sets of entries behind that head (those its walk stopped at, those it brought). */
  readonly #behind = new Map<string, readonly ReadonlySet<string>[]>()

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
   * Records entries a catch-up of `head` reached, each an ancestor of `head`: once `head` is a head, none of them may
   * be one (see {@link PendingEntries.headsStorage}).
   */
  behind(head: string, ...ancestors: ReadonlySet<string>[]): void {
    this.#behind.set(head, ancestors)
  }

  clear(): void {
    this.#admitted.clear()
    this.#blocks.clear()
    this.#behind.clear()
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

  /**
   * The log's heads, never keeping an entry behind a head a catch-up brought. OrbitDB's join drops the heads it meets
   * walking back from the new head through entries not in the log yet; a catch-up adds those entries to the index
   * beforehand, so the walk ends at once and an old head further back than the new head's references stayed a head
   * beside it for good, on this replica alone (RESILIENCE.md bug 11). OrbitDB writes the heads (stored-heads.ts) from the
   * join inside its lock: filtered here, the write stays one write.
   */
  headsStorage(storage: Storage): Storage {
    return {
      ...storage,
      put: (key, data) => storage.put(key, key === HEADS_KEY ? this.#withoutCovered(data) : data),
    }
  }

  #withoutCovered(data: Uint8Array): Uint8Array {
    if (this.#behind.size === 0) return data
    const heads = readStoredHeads(data)
    // Looked up in the catch-up's own sets: one may hold its whole run, thousands of entries, and is not copied.
    const covering = heads.flatMap(({ hash }) => this.#behind.get(hash) ?? [])
    const kept = heads.filter(({ hash }) => !covering.some((ancestors) => ancestors.has(hash)))
    return kept.length === heads.length ? data : storedHeadsBytes(kept)
  }

  /** The log's index, answering "not in the log" for pending entries without reading the disk. */
  indexStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.#blocks.has(hash) ? Promise.resolve(undefined) : storage.get(hash)),
      put: async (hash, data) => {
        await storage.put(hash, data)
        this.#blocks.delete(hash) // in the log now
      },
    }
  }
}

import { ComposedStorage, LRUStorage, LevelStorage, type Storage } from '@orbitdb/core'
import { MAX_ELIDED } from './constants.js'

/** Where the boundary is kept: a key no CID can take (CIDs are base58btc, no `!`). */
const ELIDED_KEY = '!wesh/elided'
/** OrbitDB's index value for an entry it holds: `true`, which its LevelDB stores as these bytes. */
const HELD = new TextEncoder().encode('true')
/** Entries' index records kept in memory, as OrbitDB's default index. */
const INDEX_CACHE_SIZE = 1_000

/**
 * A log's entry index (hash → held), as OrbitDB keeps it, plus a boundary for shallow history: hashes of
 * entries known by reference but not held. OrbitDB's join stops at an entry its index has, so it stops at the
 * boundary too, and a log can hold only its newest entries (PROTOCOL.md §5: "the message log may be fetched
 * partially, newest first") — as a shallow clone in git. Older pages move the boundary back
 * ({@link markHeld}); the boundary is stored in the index's own LevelDB, so it survives restarts.
 */
export class ShallowIndex {
  readonly #inner: Storage
  readonly #elided: Set<string>
  /** Entries a walk just fetched and found absent: answered without a LevelDB read until they are added. */
  readonly #absent = new Set<string>()

  private constructor(inner: Storage, elided: Set<string>) {
    this.#inner = inner
    this.#elided = elided
  }

  /** Opens the index at `path` (where OrbitDB keeps it: `<log directory>/log/_index/`). */
  static async open(path: string): Promise<ShallowIndex> {
    const inner = await ComposedStorage(
      await LRUStorage({ size: INDEX_CACHE_SIZE }),
      await LevelStorage({ path }),
    )
    const stored = await inner.get(ELIDED_KEY)
    const elided = new Set<string>(stored ? (JSON.parse(new TextDecoder().decode(stored)) as string[]) : [])
    return new ShallowIndex(inner, elided)
  }

  /** The storage OrbitDB reads and writes as its index: an elided entry reads as present. */
  get storage(): Storage {
    const inner = this.#inner
    return {
      get: (hash) => {
        if (this.#elided.has(hash)) return Promise.resolve(HELD)
        if (this.#absent.has(hash)) return Promise.resolve(undefined)
        return inner.get(hash)
      },
      put: async (hash, value) => {
        this.#absent.delete(hash)
        await inner.put(hash, value)
        // OrbitDB joined an entry on the boundary (a head's own link): it is held now.
        if (this.#elided.delete(hash)) await this.#saveElided()
      },
      del: (hash) => inner.del(hash),
      iterator: (options) => inner.iterator(options),
      merge: (other) => inner.merge(other),
      clear: async () => {
        this.#elided.clear()
        this.#absent.clear()
        await inner.clear()
      },
      close: () => inner.close(),
    }
  }

  /** The boundary: entries referenced by held ones but not held. */
  get elided(): ReadonlySet<string> {
    return this.#elided
  }

  /** True when the log holds the entry or has it on its boundary. */
  async has(hash: string): Promise<boolean> {
    return (await this.storage.get(hash)) !== undefined
  }

  /** Remembers that these entries are not in the index, until OrbitDB or {@link markHeld} adds them. */
  noteAbsent(hashes: Iterable<string>): void {
    for (const hash of hashes) this.#absent.add(hash)
  }

  /** Forgets {@link noteAbsent} notes (a walk whose entries will not be joined). */
  forgetAbsent(hashes: Iterable<string>): void {
    for (const hash of hashes) this.#absent.delete(hash)
  }

  /** Puts these hashes on the boundary. Beyond {@link MAX_ELIDED} the rest are left out (fetched when needed). */
  async markElided(hashes: Iterable<string>): Promise<void> {
    for (const hash of hashes) {
      if (this.#elided.size >= MAX_ELIDED) break
      this.#absent.delete(hash)
      this.#elided.add(hash)
    }
    await this.#saveElided()
  }

  /** Records entries as held, as OrbitDB does when it adds one, and takes them off the boundary. */
  async markHeld(hashes: Iterable<string>): Promise<void> {
    for (const hash of hashes) {
      this.#absent.delete(hash)
      this.#elided.delete(hash)
      await this.#inner.put(hash, HELD)
    }
    await this.#saveElided()
  }

  async #saveElided(): Promise<void> {
    await this.#inner.put(ELIDED_KEY, new TextEncoder().encode(JSON.stringify([...this.#elided])))
  }
}

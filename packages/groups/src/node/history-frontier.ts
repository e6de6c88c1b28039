import type { Storage } from '@orbitdb/core'
import { bytesToUtf8, utf8ToBytes } from '@wesh/crypto'

/** The one record the frontier is kept under: it holds a few hashes, one per branch cut (the log's width). */
const FRONTIER_KEY = 'frontier'

/**
 * Where a log's partial history stops (README "Partial history"): the entries a catch-up left on peers, whose
 * children are in the log. OrbitDB sees them as joined — a join stops there instead of fetching the rest of the
 * history — and as absent when it reads them, so an iteration ends there instead of fetching them block by block.
 * `LogSync.loadOlder` fetches them on demand and moves the frontier back. Kept on disk: the log reopens as it was.
 */
export class HistoryFrontier {
  readonly #storage: Storage
  #hashes: ReadonlySet<string>

  private constructor(storage: Storage, hashes: ReadonlySet<string>) {
    this.#storage = storage
    this.#hashes = hashes
  }

  static async open(storage: Storage): Promise<HistoryFrontier> {
    const stored = await storage.get(FRONTIER_KEY)
    const hashes = stored === undefined ? [] : (JSON.parse(bytesToUtf8(stored)) as string[])
    return new HistoryFrontier(storage, new Set(hashes))
  }

  has(hash: string): boolean {
    return this.#hashes.has(hash)
  }

  get hashes(): readonly string[] {
    return [...this.#hashes]
  }

  /** Moves the frontier: `fetched` entries are in the log now, `left` ones stay on peers. */
  async move(change: {
    readonly fetched?: Iterable<string>
    readonly left?: Iterable<string>
  }): Promise<void> {
    const next = new Set(this.#hashes)
    for (const hash of change.fetched ?? []) next.delete(hash)
    for (const hash of change.left ?? []) next.add(hash)
    await this.#storage.put(FRONTIER_KEY, utf8ToBytes(JSON.stringify([...next])))
    this.#hashes = next
  }

  /** The log's index as OrbitDB reads it: frontier entries count as joined, so joins stop at them. */
  indexStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.#hashes.has(hash) ? Promise.resolve(JOINED) : storage.get(hash)),
    }
  }

  /** The log's entry storage: frontier entries read as absent, never fetched from the network. */
  entryStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.#hashes.has(hash) ? Promise.resolve(undefined) : storage.get(hash)),
    }
  }

  close(): Promise<void> {
    return this.#storage.close()
  }
}

/** What OrbitDB's index holds for a joined entry (it stores `true`; only `!= null` is read). */
const JOINED = utf8ToBytes('true')

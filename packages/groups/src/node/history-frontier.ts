import type { EventsPayload, LogEntry, Storage } from '@orbitdb/core'
import { bytesToUtf8, utf8ToBytes } from '@wesh/crypto'

/** The one record the frontier is kept under: a few hashes per branch cut (the log's width, times its `refs`). */
const FRONTIER_KEY = 'frontier'
/** Heads set aside per log while their place is unknown (see {@link HistoryFrontier.park}); the oldest go beyond. */
export const MAX_PARKED_HEADS = 1_024

/**
 * Entries left on peers: parents by a `next` link of entries in the log, each with the latest clock time it can
 * have (its child's, less one), and entries only `refs` point to.
 */
interface Lists {
  readonly next: readonly (readonly [string, number])[]
  readonly refs: readonly string[]
}

/**
 * Where a log's partial history stops (README "Partial history"): the entries a catch-up left on peers, whose
 * children are in the log. OrbitDB sees them as joined — a join stops there instead of fetching the rest of the
 * history — and as absent when it reads them, so an iteration ends there instead of fetching them block by block.
 * `LogSync.loadOlder` fetches the older pages on demand, newest first along `next` links (entries that `refs`
 * point to lie further back on those walks), and moves the frontier back. Kept on disk: the log reopens as it was.
 */
export class HistoryFrontier {
  readonly #storage: Storage
  #next: ReadonlyMap<string, number>
  #refs: ReadonlySet<string>
  readonly #parked = new Map<string, LogEntry<EventsPayload>>()

  private constructor(storage: Storage, lists: Lists) {
    this.#storage = storage
    this.#next = new Map(lists.next)
    this.#refs = new Set(lists.refs)
  }

  static async open(storage: Storage): Promise<HistoryFrontier> {
    const stored = await storage.get(FRONTIER_KEY)
    const lists = stored === undefined ? { next: [], refs: [] } : (JSON.parse(bytesToUtf8(stored)) as Lists)
    return new HistoryFrontier(storage, lists)
  }

  has(hash: string): boolean {
    return this.#next.has(hash) || this.#refs.has(hash)
  }

  /** Where older pages start: the `next` parents left on peers, with the latest clock time each can have. */
  get next(): ReadonlyMap<string, number> {
    return this.#next
  }

  /** The latest clock time an entry left on peers can have; undefined when the log holds its whole history. */
  get gap(): number | undefined {
    return this.#next.size === 0 ? undefined : Math.max(...this.#next.values())
  }

  /**
   * Moves the frontier: `fetched` entries are in the log now; `next` and `refs` are entries newly left on peers,
   * parents of entries in the log by a `next` link, or by `refs` only.
   */
  async move(change: {
    readonly fetched?: Iterable<string>
    readonly next?: ReadonlyMap<string, number>
    readonly refs?: Iterable<string>
  }): Promise<void> {
    const next = new Map([...this.#next, ...(change.next ?? [])])
    const refs = new Set([...this.#refs, ...(change.refs ?? [])])
    for (const hash of change.fetched ?? []) {
      next.delete(hash)
      refs.delete(hash)
    }
    for (const hash of next.keys()) refs.delete(hash)
    const lists: Lists = { next: [...next], refs: [...refs] }
    await this.#storage.put(FRONTIER_KEY, utf8ToBytes(JSON.stringify(lists)))
    this.#next = next
    this.#refs = refs
  }

  /**
   * Sets aside a head a peer sent that is as old as the gap: it may be an entry of the gap (gossip replays recent
   * entries), which joined now would become a head of its own and pull a page of the past. It is joined once the
   * gap is older than it ({@link HistoryFrontier.unpark}): by then it is in the log, or is a branch of its own.
   */
  park(entry: LogEntry<EventsPayload>): void {
    if (this.#parked.size >= MAX_PARKED_HEADS) this.#parked.delete(this.#parked.keys().next().value as string)
    this.#parked.set(entry.hash, entry)
  }

  /** The heads set aside that are newer than the gap now, for joining. */
  unpark(): LogEntry<EventsPayload>[] {
    const gap = this.gap ?? -Infinity
    const newer = [...this.#parked.values()].filter((entry) => entry.clock.time > gap)
    for (const entry of newer) this.#parked.delete(entry.hash)
    return newer
  }

  /** The log's index as OrbitDB reads it: frontier entries count as joined, so joins stop at them. */
  indexStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.has(hash) ? Promise.resolve(JOINED) : storage.get(hash)),
    }
  }

  /** The log's entry storage: frontier entries read as absent, never fetched from the network. */
  entryStorage(storage: Storage): Storage {
    return {
      ...storage,
      get: (hash) => (this.has(hash) ? Promise.resolve(undefined) : storage.get(hash)),
    }
  }

  close(): Promise<void> {
    return this.#storage.close()
  }
}

/** What OrbitDB's index holds for a joined entry (it stores `true`; only `!= null` is read). */
const JOINED = utf8ToBytes('true')

import type { Stream } from '@libp2p/interface'
import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { WeshError } from '@wesh/crypto'
import { GroupsErrorCode } from '../errors.js'
import {
  MAX_LOG_SYNC_BATCH_BLOCKS,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_HASHES,
  decodeLogSyncBatch,
  encodeLogSyncRequest,
  MAX_LOG_SYNC_REQUEST_BYTES,
} from './log-sync-codec.js'
import {
  type LogEntryChecks,
  type SyncedEntry,
  openSyncedBlock,
  parentsOf,
  verifySyncedEntry,
} from './log-sync-entry.js'
import { frame, unframe } from './length-prefixed-frames.js'
import { unrefTimer } from './unref-timer.js'
import { inParallel } from './in-parallel.js'

/** Blocks asked for per batch unless the caller says otherwise: about 300 KiB of 1 KiB messages. */
export const LOG_SYNC_DEFAULT_BATCH_BLOCKS = 256
/** The longest wait for one batch; a slow link asks for smaller batches rather than waiting longer. */
export const LOG_SYNC_BATCH_TIMEOUT_MS = 30_000
/** Blocks asked in a pull's first batch (at most `batchBlocks`): a slow link carries it well within the timeout. */
export const LOG_SYNC_FIRST_BATCH_BLOCKS = 32
/**
 * How long a batch should take from its request: one back within it doubles the next (up to `batchBlocks`), one
 * over twice it shrinks the next in proportion. A slow link (Bluetooth LE) settles on batches that keep it
 * busy about this long — far from the timeout, and short enough that the connection's pings do not starve
 * behind one — while a fast one reaches full batches within a few.
 */
export const LOG_SYNC_BATCH_TARGET_MS = 1_000

/** One log as a catch-up reads and fills it. */
export interface CatchUpLog extends LogEntryChecks {
  /** Whether the entry is in the log (OrbitDB's index). */
  isIndexed(hash: string): Promise<boolean>
  /** The log's heads: a sender walks no further back. */
  heads(): Promise<readonly string[]>
  /** A block kept on this node but not yet joined (an interrupted catch-up), without asking the network. */
  storedBlock(hash: string): Promise<Uint8Array | undefined>
  /** Keeps a checked entry's block where OrbitDB's join will read it. */
  store(synced: SyncedEntry): Promise<void>
}

export interface PullOptions {
  /** Blocks per batch at most, 1 to `MAX_LOG_SYNC_BATCH_BLOCKS`; batches are sized to the link up to it. */
  readonly batchBlocks?: number
  readonly batchTimeoutMs?: number
  readonly signal?: AbortSignal
  /** Entries this catch-up holds at most (partial history): no more is asked for once it holds that many. */
  readonly limit?: number
  /** Called after each batch is stored, with its size and what is still wanted. */
  readonly onBatch?: (stored: number, wanted: number) => void
}

/**
 * Brings every entry between a head and the log onto this node before OrbitDB joins the head (README "Log sync"):
 * the entries the log lacks are asked for in batches, newest first, each block checked against its CID, opened,
 * found to belong to this log, admitted by the access controller and its writer signature verified — and only then
 * stored. Nothing is indexed here: OrbitDB's join of the head, once every block is local, is what adds them to the
 * log, so an interrupted catch-up leaves checked blocks and no half-joined log, and the next one starts from them.
 */
export class LogCatchUp {
  readonly #log: CatchUpLog
  /** Entries held on this node that are not in the index yet. */
  readonly #held = new Set<string>()
  /** Entries reached that are in the index: the walk stops there. */
  readonly #indexed = new Set<string>()
  /** Hashes neither in the log nor on this node: what to ask for. */
  readonly #want = new Set<string>()

  /**
   * For a partial history: the walk follows `next` links only, newest first, and keeps `refs` here; those not
   * fetched by the end are left on peers with the rest (history-frontier.ts).
   */
  readonly #refsAside: Set<string> | undefined
  /** Entries of a partial history's frontier, which this catch-up fetches rather than stops at. */
  readonly #frontier: ((hash: string) => boolean) | undefined
  /** For a partial history: the latest clock time each `next` parent reached can have (its child's, less one). */
  readonly #bounds = new Map<string, number>()

  private constructor(log: CatchUpLog, partial: boolean, frontier?: (hash: string) => boolean) {
    this.#log = log
    this.#refsAside = partial ? new Set() : undefined
    this.#frontier = frontier
  }

  /**
   * What `head` needs before it can be joined from local storage: found by walking the blocks kept so far.
   * `partial`: only its newest page is to be fetched (see {@link LogCatchUp.#refsAside}).
   */
  static async start(log: CatchUpLog, head: LogEntry<EventsPayload>, partial = false): Promise<LogCatchUp> {
    const catchUp = new LogCatchUp(log, partial)
    await catchUp.#reach(catchUp.#parents(head))
    return catchUp
  }

  /**
   * The older entries behind a partial history's frontier, from its `next` hashes: those kept on this node already
   * (an interrupted page), and the rest to fetch.
   */
  static async startFrom(
    log: CatchUpLog,
    frontier: { readonly next: ReadonlyMap<string, number>; has(hash: string): boolean },
  ): Promise<LogCatchUp> {
    const catchUp = new LogCatchUp(log, true, (hash) => frontier.has(hash))
    for (const [hash, bound] of frontier.next) catchUp.#bounds.set(hash, bound)
    await catchUp.#reach([...frontier.next.keys()])
    return catchUp
  }

  /** Hashes still to fetch. */
  get wanted(): ReadonlySet<string> {
    return this.#want
  }

  /** Entries in the log the walk stopped at: every one is behind the head (or the frontier) it started from. */
  get reachedInLog(): ReadonlySet<string> {
    return this.#indexed
  }

  /** Entries held on this node for the join, checked. */
  get held(): ReadonlySet<string> {
    return this.#held
  }

  /** The entries still wanted, with the latest clock time each can have (for a partial history's frontier). */
  get wantedBounds(): ReadonlyMap<string, number> {
    return new Map([...this.#want].map((hash) => [hash, this.#bounds.get(hash) ?? Infinity]))
  }

  /** A partial history's entries that only `refs` lead to, neither held nor in the log: left on peers. */
  async refsLeft(): Promise<string[]> {
    const left: string[] = []
    for (const hash of this.#refsAside ?? []) {
      if (!this.#held.has(hash) && !this.#want.has(hash) && !(await this.#isIndexed(hash))) left.push(hash)
    }
    return left
  }

  /**
   * Pulls over a log-sync stream to `peer` until nothing is wanted or the peer holds none of what is still wanted.
   * Throws `LOG_SYNC_*`, `MESSAGE_TOO_LARGE` or `MALFORMED_MESSAGE` when the peer lies or breaks the exchange; the
   * batch that failed is not stored, the ones before it are (every check passed).
   */
  async pull(stream: Stream, peer: string, options: PullOptions = {}): Promise<void> {
    const maxBlocks = Math.min(
      options.batchBlocks ?? LOG_SYNC_DEFAULT_BATCH_BLOCKS,
      MAX_LOG_SYNC_BATCH_BLOCKS,
    )
    let batchBlocks = Math.min(LOG_SYNC_FIRST_BATCH_BLOCKS, maxBlocks) // sized to the link as batches come back
    let askedAt = 0
    const timeoutMs = options.batchTimeoutMs ?? LOG_SYNC_BATCH_TIMEOUT_MS
    const lacking = new Set<string>() // wanted hashes this peer said it does not hold
    const batches = unframe(stream, MAX_LOG_SYNC_BATCH_BYTES, 'log-sync batch')[Symbol.asyncIterator]()
    let askedBlocks = maxBlocks // of the request in flight: its batch is decoded before the next is sent
    const request = async (): Promise<readonly string[] | undefined> => {
      const room = Math.min(batchBlocks, (options.limit ?? Infinity) - this.#held.size)
      if (this.#want.size === 0 || room < 1) return undefined
      const have = (await this.#log.heads()).slice(0, MAX_LOG_SYNC_HASHES)
      // A join that ran meanwhile (of another head, or in the gap since the last batch) put in the log what we
      // wanted: the peer skips what we have, and a request for nothing else would come back empty.
      for (const hash of have) if (this.#want.delete(hash)) this.#indexed.add(hash)
      const want = [...this.#want].filter((hash) => !lacking.has(hash)).slice(0, MAX_LOG_SYNC_HASHES)
      if (want.length === 0) return undefined
      askedBlocks = room
      askedAt = performance.now()
      const bytes = encodeLogSyncRequest({
        address: this.#log.address,
        want,
        have: [...have],
        maxBlocks: room,
      })
      if (!stream.send(frame(bytes, MAX_LOG_SYNC_REQUEST_BYTES, 'log-sync request'))) {
        await stream.onDrain(options.signal === undefined ? {} : { signal: options.signal })
      }
      return want
    }
    // One request ahead: the next batch is on its way while this one is verified and stored.
    for (let asked = await request(); asked !== undefined;) {
      const next = await nextBatch(batches, peer, timeoutMs, stream)
      const batch = decodeLogSyncBatch(next, askedBlocks)
      batchBlocks = nextBatchBlocks(batchBlocks, performance.now() - askedAt, maxBlocks)
      const expected = new Set(asked)
      const opened: SyncedEntry[] = []
      for (const block of batch.blocks) {
        if (!expected.has(block.hash)) throw violation(peer, 'a block that was not asked for')
        const synced = await openSyncedBlock(this.#log, block.hash, block.bytes, peer)
        for (const parent of parentsOf(synced.entry)) expected.add(parent) // `refs` too: a peer may walk them
        opened.push(synced)
      }
      const askedNow = new Set(asked)
      const reported = batch.missing.filter((hash) => askedNow.has(hash))
      if (opened.length === 0 && reported.length === 0) throw violation(peer, 'an empty batch')
      for (const hash of reported) lacking.add(hash)
      for (const { hash } of opened) {
        this.#want.delete(hash)
        this.#held.add(hash)
      }
      await this.#reach(opened.flatMap(({ entry }) => this.#parents(entry)))
      asked = await request()
      // All at once: writer signatures are checked off the main thread where the runtime can (Node's OpenSSL).
      await Promise.all(opened.map((synced) => verifySyncedEntry(this.#log, synced, peer)))
      await inParallel(opened, STORE_CONCURRENCY, (synced) => this.#log.store(synced))
      options.onBatch?.(opened.length, this.#want.size)
    }
  }

  /** Walks back from `hashes` through the log and the blocks held, adding what is found on neither to `#want`. */
  async #reach(hashes: readonly string[]): Promise<void> {
    const stack = [...hashes]
    for (let hash = stack.pop(); hash !== undefined; hash = stack.pop()) {
      if (this.#held.has(hash) || this.#indexed.has(hash) || this.#want.has(hash)) continue
      if (await this.#isIndexed(hash)) {
        this.#indexed.add(hash)
        continue
      }
      const bytes = await this.#log.storedBlock(hash)
      if (bytes === undefined) {
        this.#want.add(hash)
        continue
      }
      const { entry } = await openSyncedBlock(this.#log, hash, bytes, 'local')
      this.#held.add(hash)
      stack.push(...this.#parents(entry))
    }
  }

  /** The parents the walk follows: `next` and `refs`, or `next` alone for a partial history. */
  #parents(entry: LogEntry<EventsPayload>): readonly string[] {
    if (this.#refsAside === undefined) return parentsOf(entry)
    for (const hash of entry.refs) this.#refsAside.add(hash)
    for (const hash of entry.next) {
      this.#bounds.set(hash, Math.max(this.#bounds.get(hash) ?? -Infinity, entry.clock.time - 1))
    }
    return entry.next
  }

  /** In the log, or (for a catch-up of a head) behind a partial history's frontier: the walk stops there. */
  async #isIndexed(hash: string): Promise<boolean> {
    if (this.#frontier?.(hash) === true) return false
    return this.#log.isIndexed(hash)
  }
}

/** The next batch's size, from how long the last one of `blocks` took to come back (`LOG_SYNC_BATCH_TARGET_MS`). */
export function nextBatchBlocks(blocks: number, tookMs: number, maxBlocks: number): number {
  if (tookMs <= LOG_SYNC_BATCH_TARGET_MS) return Math.min(blocks * 2, maxBlocks)
  if (tookMs <= 2 * LOG_SYNC_BATCH_TARGET_MS) return blocks
  return Math.max(1, Math.floor((blocks * LOG_SYNC_BATCH_TARGET_MS) / tookMs))
}

/** Blocks stored at once: each store is a few disk round trips (has, put), which overlap. */
const STORE_CONCURRENCY = 16

async function nextBatch(
  batches: AsyncIterator<Uint8Array>,
  peer: string,
  timeoutMs: number,
  stream: Stream,
): Promise<Uint8Array> {
  const timer = setTimeout(() => {
    stream.abort(
      new WeshError(GroupsErrorCode.LOG_SYNC_TIMEOUT, 'a log-sync peer did not answer in time', {
        data: { peer, ms: timeoutMs },
      }),
    )
  }, timeoutMs)
  unrefTimer(timer)
  try {
    const next = await batches.next()
    if (next.done === true) {
      throw new WeshError(
        GroupsErrorCode.LOG_SYNC_STREAM_CLOSED,
        'a log-sync peer closed the stream before answering',
        {
          data: { peer },
        },
      )
    }
    return next.value
  } finally {
    clearTimeout(timer)
  }
}

function violation(peer: string, reason: string): WeshError {
  return new WeshError(GroupsErrorCode.LOG_SYNC_PROTOCOL_VIOLATION, `a log-sync peer sent ${reason}`, {
    data: { peer, reason },
  })
}

import type { Connection, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { CryptoErrorCode, WeshError, assertInteger, isWeshError } from '@wesh/crypto'
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_CREDIT,
  FRAME_TIMEOUT_MS,
  LOG_SYNC_PROTOCOL,
  MAX_PAGE_ENTRIES,
  MAX_WANTS,
  MIN_HISTORY_ENTRIES,
} from './constants.js'
import type { EntryStorage } from './entry-storage.js'
import { LogSyncErrorCode, isPeerMisbehaviour, logSyncError } from './errors.js'
import { LogSyncEnd, type SyncRequest } from './frames.js'
import { type PullResult, type PullTarget, pull } from './pull.js'
import { serveWalk } from './responder.js'
import type { ShallowIndex } from './shallow-index.js'

/**
 * How much of a log a node keeps (PROTOCOL.md §5): `complete` — all of it, a head joined only once its whole
 * history is here (the metadata log, whose fold needs every event, and by default the message log, whose
 * ratchets read a device's messages in order); `partial` — the newest `entries` on each catch-up, older pages
 * on demand (the message log with `history.messages`).
 */
export type LogHistory =
  { readonly kind: 'complete' } | { readonly kind: 'partial'; readonly entries: number }

/** Progress and trouble of a log's sync, for logs and tests. */
export type LogSyncEvent =
  | { readonly type: 'batch'; readonly peer: string; readonly received: number }
  | { readonly type: 'pulled'; readonly peer: string; readonly received: number; readonly end: string }
  | { readonly type: 'cut-off'; readonly peer: string; readonly error: WeshError }
  | {
      readonly type: 'interrupted'
      readonly peer: string
      readonly received: number
      readonly error: WeshError
    }

/** Where a log's sync finds peers: the node's connections and the log's own sync peers. */
export interface LogSyncPeers {
  /** Open connections to peers that speak the protocol or exchanged heads of `db`, those first. */
  candidates(db: EventsDatabase): Promise<Connection[]>
}

export interface LogSyncInit {
  readonly db: EventsDatabase
  readonly index: ShallowIndex
  readonly storage: EntryStorage
  readonly target: Omit<PullTarget, 'index' | 'storage' | 'address'>
  readonly peers: LogSyncPeers
  readonly history: LogHistory
  /** Batches in flight (flow control) and their size: small for a slow link such as Bluetooth LE. */
  readonly credit?: number
  readonly batchBytes?: number
  readonly onEvent?: (event: LogSyncEvent) => void
  readonly onError?: (error: unknown) => void
}

const syncs = new WeakMap<EventsDatabase, LogSync>()

/** The sync running for a log opened on a node with log sync, if any. */
export function logSyncOf(db: EventsDatabase): LogSync | undefined {
  return syncs.get(db)
}

interface Fetched {
  readonly received: string[]
  readonly remaining: Set<string>
  readonly limitReached: boolean
  /** Some peer sent something or broke off: the log-sync peers were there, if not complete. */
  readonly engaged: boolean
  /** A walk was cut short (not for a lie): what it brought is kept. */
  readonly interrupted: boolean
}

/**
 * Bulk sync of one log (issue 11). OrbitDB stays in charge: its head exchange and pubsub still bring heads, and
 * its join still verifies and adds them. What changes is how a missing history arrives: before OrbitDB joins a
 * head whose ancestors are not all here, the entries it lacks are pulled from a peer in one walk over
 * `/wesh/log-sync/1.0.0`, checked and stored, so that OrbitDB's join then reads them from local storage instead
 * of fetching them one block at a time over bitswap. A log with a shallow history (`partial`, or `full` cut
 * short) keeps its boundary in its index; older pages are pulled the same way and added below it.
 */
export class LogSync {
  readonly db: EventsDatabase
  readonly history: LogHistory
  readonly #index: ShallowIndex
  readonly #target: PullTarget
  readonly #storage: EntryStorage
  readonly #peers: LogSyncPeers
  readonly #credit: number
  readonly #batchBytes: number
  readonly #onEvent: ((event: LogSyncEvent) => void) | undefined
  readonly #onError: ((error: unknown) => void) | undefined
  readonly #banned = new Set<string>()
  readonly #controller = new AbortController()
  /** Pulls of this log, one at a time: joins and older pages never fetch the same entries twice. */
  #pulling: Promise<unknown> = Promise.resolve()
  /** A walk cut short: its head, the entries that arrived (stored, not joined) and where to resume. */
  #resume: { head: string; band: ReadonlySet<string>; frontier: ReadonlySet<string> } | undefined

  constructor(init: LogSyncInit) {
    if (init.history.kind === 'partial') assertHistory(init.history.entries)
    this.db = init.db
    this.history = init.history
    this.#index = init.index
    this.#storage = init.storage
    this.#target = { ...init.target, index: init.index, storage: init.storage, address: init.db.address }
    this.#peers = init.peers
    this.#credit = init.credit ?? DEFAULT_CREDIT
    this.#batchBytes = init.batchBytes ?? DEFAULT_BATCH_BYTES
    this.#onEvent = init.onEvent
    this.#onError = init.onError
    const join = init.db.log.joinEntry.bind(init.db.log)
    init.db.log.joinEntry = (entry) => this.#join(entry, join)
    syncs.set(init.db, this)
  }

  /** True while the log holds only its newest entries: some history is known by reference and not held. */
  get shallow(): boolean {
    return this.#index.elided.size > 0
  }

  /**
   * Pulls up to `count` older entries below the shallow boundary (newest first), checks them as a join would and
   * adds them to the log; OrbitDB emits `update` for them. Resolves with the hashes added and whether the whole
   * history is now held. Throws `NO_PEER` when the log is shallow and no peer could serve any of it.
   */
  async loadOlder(
    count: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ loaded: readonly string[]; complete: boolean }> {
    assertInteger(count, 'count', 1, MAX_PAGE_ENTRIES)
    const loaded = await this.#serial(() => this.#page(count, options.signal))
    if (loaded === undefined)
      throw logSyncError(LogSyncErrorCode.NO_PEER, 'no peer could serve the older entries', {
        data: { missing: this.#index.elided.size },
      })
    return { loaded, complete: !this.shallow }
  }

  /** Answers a peer's walk of this log. */
  async serve(stream: Stream, lp: LengthPrefixedStream<Stream>, request: SyncRequest, signal: AbortSignal) {
    const source = {
      getBlock: (hash: string) => this.#storage.getLocal(hash),
      decode: (hash: string, bytes: Uint8Array) => this.#target.decode(hash, bytes),
    }
    await serveWalk(stream, lp, request, source, signal)
  }

  /** Stops pulls in flight; OrbitDB's close, which waits for its queue, follows. */
  async close(): Promise<void> {
    this.#controller.abort()
    await this.#pulling.catch(() => undefined)
    syncs.delete(this.db)
  }

  /** OrbitDB's join of `entry`, once the entries it lacks are here. */
  async #join(
    entry: LogEntry<EventsPayload>,
    join: (entry: LogEntry<EventsPayload>) => Promise<boolean>,
  ): Promise<boolean> {
    // The head itself first, as OrbitDB's join would check it: a forged or foreign head never starts a walk.
    // The verdicts are remembered, so OrbitDB's join of an admitted head does not run them again. (OrbitDB itself
    // would only print its refusal on the console: ours goes to the log's error listener.)
    const refusal = await this.#refusal(entry)
    if (refusal !== undefined) {
      this.#onError?.(refusal)
      return false
    }
    // A walk for this head was cut short: what arrived is kept, and the next walk starts where it stopped.
    const resumed = this.#resume?.head === entry.hash ? this.#resume : undefined
    const lacking = await this.#lacking(entry, resumed?.band)
    for (const hash of resumed?.frontier ?? []) if (!(await this.#index.has(hash))) lacking.push(hash)
    if (lacking.length === 0 || this.#closing()) return join(entry)
    const { history } = this
    const fetched = await this.#serial(() =>
      this.#fetch(lacking, {
        limit: history.kind === 'partial' ? history.entries - 1 : 0,
        intoBoundary: false,
      }),
    )
    if (this.#closing()) return false
    if (fetched.remaining.size === 0 || !fetched.engaged) {
      // All here — or nobody with log sync could help, and OrbitDB fetches what it lacks itself, as stock.
      this.#resume = undefined
      return join(entry)
    }
    if (history.kind === 'complete' || !fetched.limitReached) {
      // Whole or not at all; the join waits for the next head exchange.
      if (fetched.interrupted) {
        const band = new Set([...(resumed?.band ?? []), ...fetched.received])
        this.#resume = { head: entry.hash, band, frontier: fetched.remaining }
      }
      this.#onError?.(incomplete(fetched.remaining.size))
      return false
    }
    if ((await this.#lacking(entry, new Set(fetched.received))).length > 0) {
      this.#onError?.(incomplete(fetched.remaining.size))
      return false
    }
    // The newest page is here: join it above a boundary; older pages come with `loadOlder`.
    await this.#index.markElided(fetched.remaining)
    this.#resume = undefined
    return join(entry)
  }

  /** Why OrbitDB would refuse `entry` as a head of this log, or undefined when it is admitted (or held). */
  async #refusal(entry: LogEntry<EventsPayload>): Promise<WeshError | undefined> {
    if (await this.#index.has(entry.hash)) return undefined // OrbitDB skips an entry it holds
    const data = { cid: entry.hash }
    if (entry.id !== this.db.address)
      return logSyncError(LogSyncErrorCode.ENTRY_FROM_ANOTHER_LOG, 'a head of another log', { data })
    if (!(await this.#target.canAppend(entry, true)))
      return logSyncError(LogSyncErrorCode.FORGED_ENTRY, 'a head the access controller refuses', {
        data: { ...data, check: 'access' },
      })
    let signed = false
    try {
      signed = await this.#target.verifySignature(entry, true)
    } catch {
      signed = false
    }
    if (!signed)
      return logSyncError(LogSyncErrorCode.FORGED_ENTRY, 'a head whose writer signature fails', {
        data: { ...data, check: 'signature' },
      })
    return undefined
  }

  /** Links of `entry` the log needs before OrbitDB can join it (a head's links are read even on the boundary). */
  async #lacking(entry: LogEntry<EventsPayload>, here: ReadonlySet<string> = new Set()): Promise<string[]> {
    const lacking: string[] = []
    if (await this.#index.has(entry.hash)) return lacking
    for (const link of new Set([...entry.next, ...entry.refs])) {
      if (here.has(link)) continue
      if (this.#index.elided.has(link) || !(await this.#index.has(link))) lacking.push(link)
    }
    return lacking
  }

  /** Adds one page below the boundary; undefined when no peer could serve any of it. */
  async #page(count: number, signal?: AbortSignal): Promise<string[] | undefined> {
    const boundary = [...this.#index.elided]
    if (boundary.length === 0) return []
    const fetched = await this.#fetch(boundary, {
      limit: count,
      intoBoundary: true,
      ...(signal ? { signal } : {}),
    })
    if (fetched.received.length === 0) return fetched.engaged ? [] : undefined
    const received = new Set(fetched.received)
    await this.#index.markHeld(fetched.received)
    for (const hash of fetched.received) await this.#storage.persist?.(hash)
    await this.#index.markElided([...fetched.remaining].filter((hash) => !received.has(hash)))
    await this.#announce(fetched.received)
    return fetched.received
  }

  /** Tells OrbitDB's listeners about entries added below the boundary: one `update` per newest entry of a branch. */
  async #announce(hashes: readonly string[]): Promise<void> {
    const linked = new Set<string>()
    const entries: LogEntry<EventsPayload>[] = []
    for (const hash of hashes) {
      const entry = await this.db.log.get(hash)
      if (entry === undefined) continue
      entries.push(entry)
      for (const link of entry.next) linked.add(link)
    }
    for (const entry of entries) if (!linked.has(entry.hash)) this.db.events.emit('update', entry)
  }

  /**
   * Pulls the entries behind `wants` from the candidate peers in turn: a peer that lies is cut off for this log
   * and the next one asked from the same point; a walk cut short resumes with the next peer where it stopped.
   */
  async #fetch(
    wants: readonly string[],
    options: { limit: number; intoBoundary: boolean; signal?: AbortSignal },
  ): Promise<Fetched> {
    const signal = options.signal
      ? AbortSignal.any([options.signal, this.#controller.signal])
      : this.#controller.signal
    let frontier = new Set(wants)
    const received: string[] = []
    let limitReached = false
    let engaged = false
    let interrupted = false
    const haves = options.intoBoundary ? [] : (await this.db.log.heads()).map((head) => head.hash)
    for (const connection of await this.#peers.candidates(this.db)) {
      const peer = connection.remotePeer.toString()
      if (this.#banned.has(peer)) continue
      while (frontier.size > 0 && !limitReached && !signal.aborted) {
        const asked = [...frontier].slice(0, MAX_WANTS)
        const left = options.limit > 0 ? options.limit - received.length : 0
        const result = await this.#pullFrom(connection, {
          wants: asked,
          haves: haves.slice(0, MAX_WANTS),
          limit: left,
          intoBoundary: options.intoBoundary,
          signal,
        })
        if (result === undefined) break
        const got = new Set(result.received)
        for (const hash of result.received) received.push(hash) // a walk can bring more than a call takes arguments
        const next = new Set([...frontier].filter((hash) => !got.has(hash) && !asked.includes(hash)))
        for (const hash of result.remaining) next.add(hash)
        frontier = next
        if (result.failure !== undefined) {
          engaged = true
          interrupted ||= !isPeerMisbehaviour(result.failure)
          break
        }
        if (result.received.length > 0) engaged = true
        if (
          result.end === LogSyncEnd.LIMIT_REACHED ||
          (options.limit > 0 && received.length >= options.limit)
        )
          limitReached = true
        else if (result.received.length === 0) break // this peer has nothing more of it
      }
      if (frontier.size === 0 || limitReached || signal.aborted) break
    }
    return { received, remaining: frontier, limitReached, engaged, interrupted }
  }

  /** One walk with one peer; undefined when the peer does not serve this log. */
  async #pullFrom(
    connection: Connection,
    request: {
      wants: string[]
      haves: string[]
      limit: number
      intoBoundary: boolean
      signal: AbortSignal
    },
  ): Promise<PullResult | undefined> {
    const peer = connection.remotePeer.toString()
    let stream: Stream
    try {
      stream = await connection.newStream(LOG_SYNC_PROTOCOL, {
        signal: AbortSignal.any([request.signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)]),
      })
    } catch {
      return undefined // gone, or a node without log sync
    }
    const result = await pull(stream, this.#target, {
      ...request,
      credit: this.#credit,
      batchBytes: this.#batchBytes,
      onBatch: (received) => this.#onEvent?.({ type: 'batch', peer, received }),
    })
    const { failure } = result
    if (failure === undefined) {
      this.#onEvent?.({ type: 'pulled', peer, received: result.received.length, end: result.end })
      if (
        result.end !== LogSyncEnd.COMPLETE &&
        result.end !== LogSyncEnd.LIMIT_REACHED &&
        result.end !== 'SATISFIED'
      )
        return result.received.length > 0 ? result : undefined
    } else if (isPeerMisbehaviour(failure)) {
      this.#banned.add(peer) // cut off: never asked again for this log
      this.#onEvent?.({ type: 'cut-off', peer, error: failure })
      this.#onError?.(failure)
    } else if (!isWeshError(failure, LogSyncErrorCode.ABORTED)) {
      this.#onEvent?.({ type: 'interrupted', peer, received: result.received.length, error: failure })
      this.#onError?.(failure)
    }
    return result
  }

  #closing(): boolean {
    return this.#controller.signal.aborted
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#pulling.then(task, task)
    this.#pulling = run.catch(() => undefined)
    return run
  }
}

function incomplete(missing: number): WeshError {
  return logSyncError(LogSyncErrorCode.NO_PEER, 'the log lacks entries no peer could send; the join waits', {
    data: { missing },
  })
}

function assertHistory(entries: number): void {
  if (!Number.isSafeInteger(entries) || entries < MIN_HISTORY_ENTRIES) {
    throw new WeshError(
      CryptoErrorCode.INVALID_ARGUMENT,
      `history.messages must be an integer of at least ${MIN_HISTORY_ENTRIES}`,
      { data: { argument: 'history.messages', min: MIN_HISTORY_ENTRIES } },
    )
  }
}

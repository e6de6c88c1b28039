import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { CryptoErrorCode, WeshError, isWeshError } from '@wesh/crypto'
import { GroupsErrorCode } from '../errors.js'
import { type CatchUpLog, LogCatchUp, type PullOptions } from './log-catch-up.js'
import { LOG_SYNC_PROTOCOL } from './log-sync-codec.js'
import { type ServedLog, serveLogSync } from './log-sync-server.js'
import type { HistoryFrontier } from './history-frontier.js'
import { openSyncedBlock, verifySyncedEntry } from './log-sync-entry.js'

/** Inbound log-sync streams per connection: one per log catching up is the usual case. */
export const LOG_SYNC_MAX_INBOUND_STREAMS = 8
/** Peers remembered per node as having lied in a log sync; they are not asked again until the node restarts. */
export const LOG_SYNC_MAX_BANNED_PEERS = 1_024

/** Codes for which a peer is cut off: what it sent was false, not merely late or lost. */
const LYING = new Set<string>([
  GroupsErrorCode.LOG_SYNC_BLOCK_MISMATCH,
  GroupsErrorCode.LOG_SYNC_WRONG_LOG,
  GroupsErrorCode.LOG_SYNC_FORGED_ENTRY,
  GroupsErrorCode.LOG_SYNC_PROTOCOL_VIOLATION,
  GroupsErrorCode.MESSAGE_TOO_LARGE,
  GroupsErrorCode.MALFORMED_MESSAGE,
])

/** One open log as log sync serves and fills it. */
export interface SyncedLog extends CatchUpLog, ServedLog {
  readonly database: EventsDatabase
  /** Peers that may hold the log, best first: those we exchanged heads with, then the topic's subscribers. */
  peers(): readonly string[]
  /** A peer cut off, a stream broken, a catch-up that could not finish (its head is tried again, see join-retry.ts). */
  readonly onError: (error: unknown) => void
  /** Called once a head's catch-up ends, joined or not: drops what was kept for OrbitDB's join. */
  readonly onCatchUpEnd?: () => void
  /** A partial history (README "Partial history"): entries per catch-up or older page, and where the log stops. */
  readonly history?: { readonly page: number; readonly frontier: HistoryFrontier }
  /**
   * Adds checked, stored entries to the log's index, as OrbitDB's join does: a catch-up's, before OrbitDB joins
   * their head, and an older page's, which has no head to join.
   */
  index(hashes: readonly string[]): Promise<void>
}

/** A log as attached: what it is, the signal that stops its work, and its catch-up or older page under way. */
interface AttachedLog {
  readonly log: SyncedLog
  readonly signal: AbortSignal
  /** The next catch-up or page of this log waits for this one. */
  running: Promise<unknown>
}

/** Settings of a node's log sync. */
export interface LogSyncOptions {
  /**
   * Blocks per batch asked of peers at most, 1 to `MAX_LOG_SYNC_BATCH_BLOCKS` (default
   * `LOG_SYNC_DEFAULT_BATCH_BLOCKS`): batches start at `LOG_SYNC_FIRST_BATCH_BLOCKS` and grow to it as fast as the
   * link carries them.
   */
  readonly batchBlocks?: number
  /** The longest wait for one batch (default `LOG_SYNC_BATCH_TIMEOUT_MS`). */
  readonly batchTimeoutMs?: number
}

export interface LogSyncInit extends LogSyncOptions {
  readonly libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'dialProtocol' | 'getConnections'>
}

/** `detail` of a log-sync `progress` event: one batch stored. */
export interface LogSyncProgress {
  readonly address: string
  readonly peer: string
  readonly stored: number
  readonly wanted: number
}

/** `detail` of a log-sync `cut-off` event: a peer that lied, and what it did. */
export interface LogSyncCutOff {
  readonly address: string
  readonly peer: string
  readonly error: WeshError
}

/** Counters since the node started. */
export interface LogSyncStats {
  blocksReceived: number
  blocksServed: number
  peersCutOff: number
}

/**
 * `/wesh/log-sync/1.0.0` on one node (README "Log sync"): it serves the node's open logs to peers, and when OrbitDB
 * is about to join a head whose history is missing here, it first pulls that history in checked batches from the
 * peers that have it, so that the join runs on local blocks. A peer that lies is cut off and the next one asked.
 * Events: `progress` ({@link LogSyncProgress}) after each batch stored, `cut-off` ({@link LogSyncCutOff}).
 */
export class LogSync extends EventTarget {
  readonly stats: LogSyncStats = { blocksReceived: 0, blocksServed: 0, peersCutOff: 0 }
  readonly #init: LogSyncInit
  /** The logs attached, by address. */
  readonly #logs = new Map<string, AttachedLog>()
  readonly #banned = new Set<string>()
  readonly #controller = new AbortController()
  readonly #streams = new Set<Stream>()

  constructor(init: LogSyncInit) {
    super()
    this.#init = init
  }

  async start(): Promise<void> {
    await this.#init.libp2p.handle(LOG_SYNC_PROTOCOL, (stream) => this.#serve(stream), {
      maxInboundStreams: LOG_SYNC_MAX_INBOUND_STREAMS,
    })
  }

  async stop(): Promise<void> {
    this.#controller.abort()
    for (const stream of this.#streams) stream.abort(new Error('log sync stopped'))
    await this.#init.libp2p.unhandle(LOG_SYNC_PROTOCOL)
  }

  /** Whether `peer` was cut off for lying. */
  isCutOff(peer: string): boolean {
    return this.#banned.has(peer)
  }

  /**
   * Serves `log` to peers and routes its joins through a catch-up. Call before OrbitDB's sync starts; `detach()`
   * before the log closes (it aborts a catch-up under way).
   */
  attach(log: SyncedLog): { detach(): void } {
    const { database } = log
    const join = database.log.joinEntry.bind(database.log)
    const detached = new AbortController()
    const signal = AbortSignal.any([this.#controller.signal, detached.signal])
    const attached: AttachedLog = { log, signal, running: Promise.resolve() }
    this.#logs.set(database.address, attached)
    database.log.joinEntry = async (entry) => {
      if (!(await this.#needsCatchUp(log, entry))) return join(entry)
      // One catch-up per log at a time: a second head finds most of its history already here.
      return this.#serial(attached, async () => {
        // Looked at once the catch-up before it is over: that one may have left a gap this head is as old as.
        const { gap } = log.history?.frontier ?? {}
        if (gap !== undefined && entry.clock.time <= gap) {
          log.history?.frontier.park(entry)
          return false
        }
        // When no peer speaks log sync, the join below is OrbitDB's own walk, block by block.
        const indexed = await this.#catchUp(log, entry, signal)
        // Closing: no walk over the network. A catch-up that indexed its entries is joined all the same, from local
        // blocks: indexed without their head, they would hide the heads behind them from that head's next join.
        if (!indexed) signal.throwIfAborted()
        return await join(entry)
      })
    }
    return {
      detach: () => {
        detached.abort()
        this.#logs.delete(database.address)
      },
    }
  }

  /**
   * Fetches up to `limit` older entries of a log opened with a partial history (`historyPage`), newest first from
   * where its history stops, checks them as a catch-up does and adds them to the log; resolves with the entries
   * added (none once the log holds its whole history). Throws `INVALID_ARGUMENT` for a log that is not open here
   * with a partial history, `LOG_SYNC_INCOMPLETE` when no connected peer could serve any of them.
   */
  async loadOlder(
    address: string,
    options: { readonly limit?: number } = {},
  ): Promise<LogEntry<EventsPayload>[]> {
    const attached = this.#logs.get(address)
    const history = attached?.log.history
    const limit = options.limit ?? history?.page
    if (attached === undefined || history === undefined) {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'no log with a partial history at this address', {
        data: { argument: 'address', address },
      })
    }
    if (limit === undefined || !Number.isSafeInteger(limit) || limit < 1) {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'limit must be a positive integer', {
        data: { argument: 'limit' },
      })
    }
    const { log, signal } = attached
    const added = await this.#serial(attached, async () => {
      const { frontier } = history
      if (frontier.next.size === 0) return []
      // Whatever part of the page peers served is added, the rest stays behind the frontier.
      const start = () => LogCatchUp.startFrom(log, frontier)
      const { catchUp } = await this.#fetch(log, start, limit, signal)
      const added = await this.#index(log, catchUp)
      const { wantedBounds } = catchUp
      await frontier.move({ fetched: added, next: wantedBounds, refs: await catchUp.refsLeft() })
      const entries = await Promise.all(added.map((hash) => log.get(hash)))
      return entries.filter((entry) => entry !== undefined)
    })
    for (const head of history.frontier.unpark()) {
      // Through the log's own join (retried on failure); listeners learn of it as of any head joined.
      if (await log.database.log.joinEntry(head)) log.database.events.emit('update', head)
    }
    return added
  }

  /**
   * Checks a held entry that goes into the index without OrbitDB's walk: one this catch-up fetched was checked on
   * arrival; one found stored (an interrupted catch-up, or a block OrbitDB fetched for a join that failed) is now.
   */
  async #checkHeld(log: SyncedLog, hash: string): Promise<void> {
    if (log.pending.takeAdmitted(hash)) return
    const bytes = await log.storedBlock(hash)
    if (bytes === undefined) throw new Error(`held entry ${hash} is not stored`) // held means stored
    await verifySyncedEntry(log, await openSyncedBlock(log, hash, bytes, 'local'), 'local')
    log.pending.takeAdmitted(hash)
  }

  /**
   * For a log with a partial history: the latest clock time an entry not fetched yet can have. Entries at or below
   * it may sort after some of those in the converged order, so a page of the log stops there until older pages are
   * loaded. Undefined when the log holds its whole history (or is not open here with a partial history).
   */
  historyGap(address: string): number | undefined {
    return this.#logs.get(address)?.log.history?.frontier.gap
  }

  /** Runs `task` after the log's catch-up or page under way; drops what was kept for the join after it. */
  #serial<T>(attached: AttachedLog, task: () => Promise<T>): Promise<T> {
    const run = attached.running.then(async () => {
      try {
        return await task()
      } finally {
        attached.log.onCatchUpEnd?.()
      }
    })
    attached.running = run.catch(() => undefined)
    return run
  }

  async #needsCatchUp(log: SyncedLog, head: LogEntry<EventsPayload>): Promise<boolean> {
    if (await log.isIndexed(head.hash)) return false
    for (const parent of [...head.next, ...head.refs]) if (!(await log.isIndexed(parent))) return true
    return false
  }

  /**
   * Pulls `head`'s history (a partial history: its newest page) from the candidates in turn. True once it is here
   * and in the index; false when the rest may be had from peers some other way (a peer without log sync, or one that
   * answered without all of it): OrbitDB's own walk then fetches it block by block. Throws as {@link LogSync.#fetch}.
   */
  async #catchUp(log: SyncedLog, head: LogEntry<EventsPayload>, signal: AbortSignal): Promise<boolean> {
    const behind = log.history === undefined ? undefined : log.history.page - 1 // the head is the page's first
    const start = () => LogCatchUp.start(log, head, behind !== undefined)
    const { catchUp, complete } = await this.#fetch(log, start, behind, signal)
    if (log.history === undefined && !complete) return false
    // The page is here — or what peers had of it over log sync: the rest stays on peers, and the join stops where
    // it begins rather than walking the whole history block by block.
    await log.history?.frontier.move({ next: catchUp.wantedBounds, refs: await catchUp.refsLeft() })
    // Before the index: the join's walk will stop at the first entry it finds there, short of the heads behind it —
    // those the catch-up's walk stopped at, and any entry of the run that a join of its own (a late gossip message)
    // made a head meanwhile: every entry held was reached walking back from the head.
    log.pending.behind(head.hash, catchUp.reachedInLog, catchUp.held)
    await this.#index(log, catchUp)
    return true
  }

  /**
   * Adds the entries a catch-up holds to the log's index, checked, so that OrbitDB's join of the head finds its
   * parents in the log and does not walk them again (decoding and checking every entry once more). The index is
   * what that walk would write, before the heads, in the same order: a crash in between leaves entries that the
   * next join of the head picks up.
   */
  async #index(log: SyncedLog, catchUp: LogCatchUp): Promise<string[]> {
    const held = [...catchUp.held]
    for (const hash of held) await this.#checkHeld(log, hash)
    await log.index(held)
    return held
  }

  /**
   * Pulls what `start` finds missing from the candidates in turn, until nothing is or `limit` entries are held.
   * Resolves with the catch-up, not `complete` when peers lacked log sync or some of the entries; throws
   * `LOG_SYNC_INCOMPLETE` when no candidate was connected or every one failed (cut off, timed out, gone), and the
   * signal's reason on abort.
   */
  async #fetch(
    log: SyncedLog,
    start: () => Promise<LogCatchUp>,
    limit: number | undefined,
    signal: AbortSignal,
  ): Promise<{ catchUp: LogCatchUp; complete: boolean }> {
    let catchUp = await start()
    const done = () => catchUp.wanted.size === 0 || catchUp.held.size >= (limit ?? Infinity)
    let served = false // a peer answered every request, if not with everything
    let withoutLogSync = false
    for (const peer of this.#candidates(log)) {
      if (done()) return { catchUp, complete: true }
      signal.throwIfAborted()
      let stream: Stream | undefined
      try {
        stream = await this.#init.libp2p.dialProtocol(peer, LOG_SYNC_PROTOCOL, { signal })
        await this.#pull(catchUp, log, stream, peer.toString(), limit, signal)
        served = true
      } catch (error) {
        if (signal.aborted) throw error
        if (error instanceof Error && error.name === 'UnsupportedProtocolError') {
          withoutLogSync = true
          continue
        }
        stream?.abort(error instanceof Error ? error : new Error(String(error)))
        if (isWeshError(error) && LYING.has(error.code)) this.#cutOff(log, peer.toString(), error)
        log.onError(error)
        catchUp = await start() // again from what is stored: the batch that failed was not
      }
    }
    if (done()) return { catchUp, complete: true }
    // Peers that lack log sync, or do not serve all of this log through it, may still hold the blocks.
    if (served || withoutLogSync) return { catchUp, complete: false }
    throw new WeshError(GroupsErrorCode.LOG_SYNC_INCOMPLETE, 'no peer could serve the rest of the log', {
      data: { address: log.address, missing: catchUp.wanted.size },
    })
  }

  async #pull(
    catchUp: LogCatchUp,
    log: SyncedLog,
    stream: Stream,
    peer: string,
    limit: number | undefined,
    signal: AbortSignal,
  ) {
    const onAbort = () => {
      stream.abort(signal.reason instanceof Error ? signal.reason : new Error('log sync stopped'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    this.#streams.add(stream)
    const { batchBlocks, batchTimeoutMs } = this.#init
    const options: PullOptions = {
      signal,
      ...(limit === undefined ? {} : { limit }),
      ...(batchBlocks === undefined ? {} : { batchBlocks }),
      ...(batchTimeoutMs === undefined ? {} : { batchTimeoutMs }),
      onBatch: (stored, wanted) => {
        this.stats.blocksReceived += stored
        const detail: LogSyncProgress = { address: log.address, peer, stored, wanted }
        this.dispatchEvent(new CustomEvent('progress', { detail }))
      },
    }
    try {
      await catchUp.pull(stream, peer, options)
      await stream.close({ signal })
    } finally {
      signal.removeEventListener('abort', onAbort)
      this.#streams.delete(stream)
    }
  }

  /** Connected peers that may hold the log and have not lied, in the log's order of preference. */
  #candidates(log: SyncedLog): PeerId[] {
    const connected = new Map<string, PeerId>()
    for (const connection of this.#init.libp2p.getConnections()) {
      connected.set(connection.remotePeer.toString(), connection.remotePeer)
    }
    const peers: PeerId[] = []
    for (const id of new Set(log.peers())) {
      const peer = connected.get(id)
      if (peer !== undefined && !this.#banned.has(id)) peers.push(peer)
    }
    return peers
  }

  #cutOff(log: SyncedLog, peer: string, error: WeshError): void {
    if (this.#banned.size >= LOG_SYNC_MAX_BANNED_PEERS) this.#banned.clear()
    this.#banned.add(peer)
    this.stats.peersCutOff += 1
    const detail: LogSyncCutOff = { address: log.address, peer, error }
    this.dispatchEvent(new CustomEvent('cut-off', { detail }))
  }

  async #serve(stream: Stream): Promise<void> {
    this.#streams.add(stream)
    try {
      await serveLogSync(
        stream,
        (address) => this.#logs.get(address)?.log,
        this.#controller.signal,
        (served) => {
          this.stats.blocksServed += served
        },
      )
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)))
    } finally {
      this.#streams.delete(stream)
    }
  }
}

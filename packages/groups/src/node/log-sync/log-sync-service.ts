import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { EventsDatabase } from '@orbitdb/core'
import type { LocalBlocks } from './entry-storage.js'
import { assertInteger } from '@wesh/crypto'
import {
  DEFAULT_BATCH_BYTES,
  DEFAULT_CREDIT,
  FRAME_TIMEOUT_MS,
  LOG_SYNC_PROTOCOL,
  MAX_BATCH_BYTES,
  MAX_CONCURRENT_WALKS,
  MAX_CREDIT,
  MAX_REQUEST_BYTES,
  MIN_BATCH_BYTES,
} from './constants.js'
import { LogSyncEnd, decodeSyncRequest, encodeSyncResponse } from './frames.js'
import type { LogSync, LogSyncPeers } from './log-sync.js'

/** A node's flow-control settings for the walks it asks for. */
export interface LogSyncTuning {
  /** Batches in flight, 1 to {@link MAX_CREDIT}; default {@link DEFAULT_CREDIT}. */
  readonly credit?: number
  /** Block bytes per batch, {@link MIN_BATCH_BYTES} to {@link MAX_BATCH_BYTES}; default {@link DEFAULT_BATCH_BYTES}. */
  readonly batchBytes?: number
}

/** How many streams one connection may open on the protocol at once. */
const MAX_INBOUND_STREAMS = 16

/**
 * A node's side of `/wesh/log-sync/1.0.0`: one protocol handler for every log open on the node, which answers a
 * walk of a log it has open (at most {@link MAX_CONCURRENT_WALKS} at once, `BUSY` beyond), and the peers a log's
 * sync may ask. Works over any libp2p transport: flow control is in the protocol itself.
 */
export class LogSyncService implements LogSyncPeers {
  readonly credit: number
  readonly batchBytes: number
  /** The node's block store under Helia, where walks read and store entry blocks. */
  readonly blocks: LocalBlocks
  readonly #libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'getConnections' | 'peerStore'>
  readonly #logs = new Map<string, LogSync>()
  readonly #walks = new Set<Promise<void>>()
  readonly #controller = new AbortController()
  readonly #onError: ((error: unknown) => void) | undefined

  constructor(
    libp2p: Pick<Libp2p, 'handle' | 'unhandle' | 'getConnections' | 'peerStore'>,
    blocks: LocalBlocks,
    options: LogSyncTuning & { onError?: (error: unknown) => void } = {},
  ) {
    const { credit = DEFAULT_CREDIT, batchBytes = DEFAULT_BATCH_BYTES } = options
    assertInteger(credit, 'logSync.credit', 1, MAX_CREDIT)
    assertInteger(batchBytes, 'logSync.batchBytes', MIN_BATCH_BYTES, MAX_BATCH_BYTES)
    this.credit = credit
    this.batchBytes = batchBytes
    this.blocks = blocks
    this.#libp2p = libp2p
    this.#onError = options.onError
  }

  async start(): Promise<void> {
    await this.#libp2p.handle(
      LOG_SYNC_PROTOCOL,
      (stream) => {
        const walk = this.#answer(stream)
        this.#walks.add(walk)
        void walk.finally(() => this.#walks.delete(walk))
      },
      { maxInboundStreams: MAX_INBOUND_STREAMS },
    )
  }

  /** Serves `sync`'s log until it is removed. */
  add(sync: LogSync): void {
    this.#logs.set(sync.db.address, sync)
  }

  remove(sync: LogSync): void {
    if (this.#logs.get(sync.db.address) === sync) this.#logs.delete(sync.db.address)
  }

  async candidates(db: EventsDatabase): Promise<Connection[]> {
    const byPeer = new Map<string, Connection>()
    for (const connection of this.#libp2p.getConnections()) {
      if (connection.status !== 'open' || connection.limits !== undefined) continue
      byPeer.set(connection.remotePeer.toString(), connection)
    }
    const first: Connection[] = []
    const then: Connection[] = []
    for (const [peer, connection] of byPeer) {
      if (db.peers.has(peer)) first.push(connection)
      else if (await this.#speaksLogSync(connection)) then.push(connection)
    }
    return [...first, ...then]
  }

  async stop(): Promise<void> {
    this.#controller.abort()
    await this.#libp2p.unhandle(LOG_SYNC_PROTOCOL)
    await Promise.allSettled(this.#walks)
  }

  async #speaksLogSync(connection: Connection): Promise<boolean> {
    try {
      const peer = await this.#libp2p.peerStore.get(connection.remotePeer)
      return peer.protocols.includes(LOG_SYNC_PROTOCOL)
    } catch {
      return false
    }
  }

  async #answer(stream: Stream): Promise<void> {
    const signal = this.#controller.signal
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
    const end = async (status: LogSyncEnd) => {
      await lp.write(
        encodeSyncResponse({ kind: 'end', end: status as Exclude<LogSyncEnd, LogSyncEnd.CONTINUES> }),
        {
          signal: AbortSignal.any([signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)]),
        },
      )
      await stream.close({ signal: AbortSignal.any([signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)]) })
    }
    try {
      let request
      try {
        request = decodeSyncRequest(
          await lp.read({ signal: AbortSignal.any([signal, AbortSignal.timeout(FRAME_TIMEOUT_MS)]) }),
        )
      } catch (error) {
        if (stream.status === 'open') await end(LogSyncEnd.BAD_REQUEST)
        throw error
      }
      const sync = this.#logs.get(request.log)
      if (sync === undefined) await end(LogSyncEnd.UNKNOWN_LOG)
      else if (this.#walks.size > MAX_CONCURRENT_WALKS) await end(LogSyncEnd.BUSY)
      else await sync.serve(stream, lp, request, signal)
    } catch (error) {
      // A requester that has all it lacked ends the stream: not a failure.
      const endedByPeer = stream.status === 'reset' || stream.status === 'closed'
      stream.abort(error instanceof Error ? error : new Error(String(error)))
      if (!signal.aborted && !endedByPeer) this.#onError?.(error)
    }
  }
}

import type { Connection, Libp2pEvents, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { assertBytes, assertInteger, isWeshError, toHex, WeshError } from '@wesh/crypto'
import { TypedEventEmitter, type TypedEventTarget } from 'main-event'
import { abortError, throwIfAborted } from './abort.js'
import { MAX_TIMER_MS, systemClock, type Clock } from './clock.js'
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS, POINT_BYTES } from './constants.js'
import type { DiscoveredPeer, Discovery, LookupOptions, RegisterOptions, Registration } from './discovery.js'
import { RendezvousErrorCode } from './errors.js'
import {
  decodeLocalRecords,
  encodeLocalRecords,
  isBleConnection,
  LOCAL_RECORDS_PROTOCOL,
  MAX_LOCAL_RECORDS,
  MAX_LOCAL_RECORDS_BYTES,
  type IsDirect,
  type LocalRecordsMessage,
} from './local-records-protocol.js'

/** Most peers whose lists are kept; past it, peers with nothing valid go first, then the least recently heard. */
export const MAX_LOCAL_PEERS = 256
/** Default time allowed for one exchange of lists. */
export const DEFAULT_LOCAL_EXCHANGE_TIMEOUT_MS = 10_000

/** What local records take from libp2p. */
export interface LocalRecordsComponents {
  registrar: {
    handle(
      protocol: string,
      handler: (stream: Stream, connection: Connection) => void | Promise<void>,
      options?: { maxInboundStreams?: number },
    ): Promise<void>
    unhandle(protocol: string): Promise<void>
  }
  connectionManager: { getConnections(peerId?: PeerId): Connection[] }
  events: Pick<TypedEventTarget<Libp2pEvents>, 'addEventListener' | 'removeEventListener'>
}

export interface LocalRecordsInit {
  /**
   * Which connections are direct: lists are sent, and accepted, only on those. Default {@link isBleConnection}
   * (the remote address has a `/ble` component, as `@wesh/transport-ble` gives its connections).
   */
  isDirect?: IsDirect
  /** Protocol id. Default `/wesh/rdv-local/1.0.0`. */
  protocol?: string
  /** Time allowed for one exchange, in ms. Default {@link DEFAULT_LOCAL_EXCHANGE_TIMEOUT_MS}. */
  timeout?: number
  clock?: Clock
}

export interface LocalRecordsEvents {
  /** A direct peer's list was received and stored; `records` is how many of its points are valid. */
  'peer:records': CustomEvent<{ peerId: PeerId; records: number }>
  /** An exchange with a direct peer failed (it may not speak the protocol); nothing was stored from it. */
  'exchange:error': CustomEvent<{ peerId: PeerId; error: unknown }>
}

/** Counters of a {@link LocalRecords}. */
export interface LocalRecordsStats {
  /** Lists sent (on connection open, on a change, or in answer). */
  sent: number
  /** Lists received and stored (stale ones not counted). */
  received: number
  /** Streams refused because their connection is not direct. */
  refused: number
  /** Lists that did not decode. */
  malformed: number
  /** Other failed exchanges (stream errors, timeouts, peers without the protocol). */
  failed: number
}

interface PeerRecords {
  peerId: PeerId
  multiaddrs: Multiaddr[]
  version: number
  /** Point (hex) → expiry in ms. */
  records: Map<string, number>
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * Local records (PROTOCOL.md §2 system 3) as a {@link Discovery} and a libp2p service. When a direct connection
 * opens, the dialling side opens `/wesh/rdv-local/1.0.0` and sends its list of `{point, expiresAt}`; the other
 * side stores it and answers with its own. `register`/`unregister` change this node's list and push it to every
 * peer connected directly. Received records are kept until they expire (at most 72 h ahead of this node's clock)
 * and `lookup` answers from them at once, without any network traffic. Nothing is ever sent, or accepted, on a
 * connection that `isDirect` does not pass.
 */
export class LocalRecords extends TypedEventEmitter<LocalRecordsEvents> implements Discovery {
  readonly name = 'local'
  readonly protocol: string
  readonly stats: LocalRecordsStats = { sent: 0, received: 0, refused: 0, malformed: 0, failed: 0 }
  readonly #components: LocalRecordsComponents
  readonly #isDirect: IsDirect
  readonly #timeout: number
  readonly #clock: Clock
  /** This node's list: point (hex) → point and expiry in ms. */
  readonly #own = new Map<string, { point: Uint8Array; expiresAt: number }>()
  readonly #peers = new Map<string, PeerRecords>()
  readonly #exchanges = new Set<Promise<void>>()
  #version = 0
  #controller = new AbortController()
  #running = false

  constructor(components: LocalRecordsComponents, init: LocalRecordsInit = {}) {
    super()
    const timeout = init.timeout ?? DEFAULT_LOCAL_EXCHANGE_TIMEOUT_MS
    assertInteger(timeout, 'timeout', 1, MAX_TIMER_MS)
    if (init.isDirect !== undefined && typeof init.isDirect !== 'function') {
      throw new WeshError('INVALID_ARGUMENT', 'isDirect must be a function of a connection', {
        data: { argument: 'isDirect' },
      })
    }
    this.#components = components
    this.#isDirect = init.isDirect ?? isBleConnection
    this.protocol = init.protocol ?? LOCAL_RECORDS_PROTOCOL
    this.#timeout = timeout
    this.#clock = init.clock ?? systemClock
  }

  readonly [Symbol.toStringTag] = '@wesh/rendezvous-local-records'

  /** Peers whose lists are held (including those whose records have all expired but are not evicted yet). */
  get peerCount(): number {
    return this.#peers.size
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    if (this.#controller.signal.aborted) this.#controller = new AbortController()
    await this.#components.registrar.handle(
      this.protocol,
      (stream, connection) => {
        this.#track(this.#serve(stream, connection))
      },
      { maxInboundStreams: 4 },
    )
    this.#components.events.addEventListener('connection:open', this.#onConnectionOpen)
  }

  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.#components.events.removeEventListener('connection:open', this.#onConnectionOpen)
    this.#controller.abort(abortError())
    await this.#components.registrar.unhandle(this.protocol)
    await Promise.allSettled(this.#exchanges)
  }

  async register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
    assertBytes(point, 'point', POINT_BYTES)
    const ttl = options.ttl ?? DEFAULT_TTL_SECONDS
    assertInteger(ttl, 'ttl', MIN_TTL_SECONDS, MAX_TTL_SECONDS)
    throwIfAborted(options.signal)
    const key = toHex(point)
    const now = this.#clock.now()
    this.#pruneOwn(now)
    if (!this.#own.has(key) && this.#own.size >= MAX_LOCAL_RECORDS) {
      throw new WeshError(
        RendezvousErrorCode.LOCAL_RECORDS_FULL,
        `at most ${MAX_LOCAL_RECORDS} local records`,
        {
          data: { max: MAX_LOCAL_RECORDS },
        },
      )
    }
    this.#own.set(key, { point: point.slice(), expiresAt: now + ttl * 1000 })
    await this.#push(options.signal)
    return { ttl }
  }

  async unregister(point: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertBytes(point, 'point', POINT_BYTES)
    throwIfAborted(options.signal)
    if (this.#own.delete(toHex(point))) await this.#push(options.signal)
  }

  lookup(point: Uint8Array, options: LookupOptions = {}): AsyncIterable<DiscoveredPeer> {
    assertBytes(point, 'point', POINT_BYTES)
    return this.#lookup(toHex(point), options.signal)
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- an async iterable like every Discovery's
  async *#lookup(key: string, signal: AbortSignal | undefined): AsyncGenerator<DiscoveredPeer> {
    throwIfAborted(signal)
    const now = this.#clock.now()
    const found: DiscoveredPeer[] = []
    for (const peer of this.#peers.values()) {
      const expiresAt = peer.records.get(key)
      if (expiresAt !== undefined && expiresAt > now) {
        found.push({ id: peer.peerId, multiaddrs: [...peer.multiaddrs] })
      }
    }
    for (const peer of found) {
      yield peer
      throwIfAborted(signal)
    }
  }

  readonly #onConnectionOpen = (event: CustomEvent<Connection>): void => {
    const connection = event.detail
    // The dialling side starts the exchange; the answer carries the other side's list.
    if (connection.direction !== 'outbound' || !this.#direct(connection)) return
    this.#track(this.#exchange(connection))
  }

  #direct(connection: Connection): boolean {
    try {
      return this.#isDirect(connection)
    } catch {
      return false // an isDirect that throws says nothing is direct
    }
  }

  /** Sends this node's list to every peer connected directly (one connection each) and waits for the answers. */
  async #push(signal: AbortSignal | undefined): Promise<void> {
    if (!this.#running) return
    const byPeer = new Map<string, Connection>()
    for (const connection of this.#components.connectionManager.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (connection.status === 'open' && !byPeer.has(peer) && this.#direct(connection)) {
        byPeer.set(peer, connection)
      }
    }
    await Promise.all([...byPeer.values()].map((connection) => this.#exchange(connection, signal)))
    throwIfAborted(signal)
  }

  #track(exchange: Promise<void>): void {
    this.#exchanges.add(exchange)
    void exchange.finally(() => this.#exchanges.delete(exchange))
  }

  #signal(caller?: AbortSignal): AbortSignal {
    return AbortSignal.any([
      this.#controller.signal,
      AbortSignal.timeout(this.#timeout),
      ...(caller === undefined ? [] : [caller]),
    ])
  }

  /** Opens the protocol on `connection`, sends this node's list, stores the answer. Never throws. */
  async #exchange(connection: Connection, caller?: AbortSignal): Promise<void> {
    const signal = this.#signal(caller)
    let stream: Stream | undefined
    try {
      stream = await connection.newStream(this.protocol, { signal })
      const lp = lpStream(stream, { maxDataLength: MAX_LOCAL_RECORDS_BYTES })
      await lp.write(this.#ownFrame(), { signal })
      this.stats.sent++
      this.#store(connection, decodeLocalRecords(await lp.read({ signal })))
      await stream.close({ signal })
    } catch (error) {
      this.#failed(connection, stream, error)
    }
  }

  /** Answers an exchange opened by a peer: stores its list, sends this node's. */
  async #serve(stream: Stream, connection: Connection): Promise<void> {
    if (!this.#direct(connection)) {
      this.stats.refused++
      stream.abort(new Error('local records are exchanged over direct connections only'))
      return
    }
    const signal = this.#signal()
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_LOCAL_RECORDS_BYTES })
      this.#store(connection, decodeLocalRecords(await lp.read({ signal })))
      await lp.write(this.#ownFrame(), { signal })
      this.stats.sent++
      await stream.close({ signal })
    } catch (error) {
      this.#failed(connection, stream, error)
    }
  }

  #failed(connection: Connection, stream: Stream | undefined, error: unknown): void {
    stream?.abort(toError(error))
    if (isWeshError(error, RendezvousErrorCode.LOCAL_RECORDS_MALFORMED)) this.stats.malformed++
    else this.stats.failed++
    this.safeDispatchEvent('exchange:error', { detail: { peerId: connection.remotePeer, error } })
  }

  #pruneOwn(now: number): void {
    for (const [key, { expiresAt }] of this.#own) if (expiresAt <= now) this.#own.delete(key)
  }

  #ownFrame(): Uint8Array {
    const now = this.#clock.now()
    this.#pruneOwn(now)
    this.#version = Math.max(this.#version + 1, now)
    return encodeLocalRecords({
      records: [...this.#own.values()].map(({ point, expiresAt }) => ({
        point,
        expiresAt: Math.floor(expiresAt / 1000),
      })),
      version: this.#version,
    })
  }

  #store(connection: Connection, list: LocalRecordsMessage): void {
    const key = connection.remotePeer.toString()
    const known = this.#peers.get(key)
    if (known !== undefined && list.version <= known.version) return // an older list that arrived late
    const now = this.#clock.now()
    const latest = now + MAX_TTL_SECONDS * 1000
    const records = new Map<string, number>()
    for (const { point, expiresAt } of list.records) {
      const expiresAtMs = Math.min(expiresAt * 1000, latest)
      if (expiresAtMs > now) records.set(toHex(point), expiresAtMs)
    }
    // Re-inserted last: the map's order is least recently heard first.
    this.#peers.delete(key)
    this.#peers.set(key, {
      peerId: connection.remotePeer,
      multiaddrs: [connection.remoteAddr],
      version: list.version,
      records,
    })
    this.#evict(now)
    this.stats.received++
    this.safeDispatchEvent('peer:records', {
      detail: { peerId: connection.remotePeer, records: records.size },
    })
  }

  #evict(now: number): void {
    if (this.#peers.size <= MAX_LOCAL_PEERS) return
    for (const [key, peer] of this.#peers) {
      if (![...peer.records.values()].some((expiresAt) => expiresAt > now)) this.#peers.delete(key)
    }
    for (const key of this.#peers.keys()) {
      if (this.#peers.size <= MAX_LOCAL_PEERS) break
      this.#peers.delete(key)
    }
  }
}

/** Factory in libp2p's service style: `services: { local: localRecords({ isDirect }) }`. */
export function localRecords(
  init: LocalRecordsInit = {},
): (components: LocalRecordsComponents) => LocalRecords {
  return (components) => new LocalRecords(components, init)
}

import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { assertInteger, isWeshError } from '@wesh/crypto'
import { systemClock, type Clock } from './clock.js'
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS } from './constants.js'
import {
  decodeCookie,
  decodeRequest,
  encodeCookie,
  encodeMessage,
  MAX_DISCOVER_LIMIT,
  MAX_NAMESPACE_BYTES,
  MAX_REGISTRATIONS_PER_PEER,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  MAX_SIGNED_PEER_RECORD_BYTES,
  MessageType,
  namespaceBytes,
  RENDEZVOUS_PROTOCOL,
  ResponseStatus,
  type Message,
  type RendezvousRequest,
} from './rendezvous-protocol.js'
import { MemoryRegistrationStore, type RegistrationStore } from './registration-store.js'
import { openPeerRecord } from './signed-peer-record.js'

/** Default wait for the next request on an open stream before the server closes it. */
export const DEFAULT_STREAM_IDLE_MS = 30_000
/** Default interval between sweeps of expired registrations. */
export const DEFAULT_PRUNE_INTERVAL_MS = 60_000

export interface RendezvousServiceInit {
  /** Where registrations live. Default: a {@link MemoryRegistrationStore}. */
  store?: RegistrationStore
  /** Shortest TTL accepted, in seconds. Default 2 h, the spec's recommended minimum. */
  minTtl?: number
  /** Longest TTL accepted, in seconds. Default and upper bound 72 h. */
  maxTtl?: number
  /** Default 1 000 (spec recommendation). */
  maxRegistrationsPerPeer?: number
  /** Most registrations per DISCOVER_RESPONSE. Default and upper bound 1 000. */
  maxDiscoverLimit?: number
  clock?: Clock
}

/** Counters of what a server did, for metrics. */
export interface RendezvousServerStats {
  /** REGISTER requests by response status. */
  register: Partial<Record<ResponseStatus, number>>
  unregister: number
  /** DISCOVER requests by response status. */
  discover: Partial<Record<ResponseStatus, number>>
  /** Registrations returned by DISCOVER. */
  discovered: number
  /** Frames that were not valid requests (the stream was closed). */
  malformed: number
  /** Streams closed because of an error or idle timeout. */
  streamErrors: number
}

/**
 * The protocol logic of a libp2p rendezvous server, apart from streams: one request in, one response (or none,
 * for UNREGISTER) out. Every bad value becomes the spec's status code; nothing here throws for bad input.
 */
export class RendezvousService {
  readonly store: RegistrationStore
  readonly minTtl: number
  readonly maxTtl: number
  readonly maxRegistrationsPerPeer: number
  readonly maxDiscoverLimit: number
  readonly clock: Clock
  readonly stats: RendezvousServerStats = {
    register: {},
    unregister: 0,
    discover: {},
    discovered: 0,
    malformed: 0,
    streamErrors: 0,
  }

  constructor(init: RendezvousServiceInit = {}) {
    this.maxTtl = init.maxTtl ?? MAX_TTL_SECONDS
    assertInteger(this.maxTtl, 'maxTtl', MIN_TTL_SECONDS, MAX_TTL_SECONDS)
    this.minTtl = init.minTtl ?? Math.min(DEFAULT_TTL_SECONDS, this.maxTtl)
    assertInteger(this.minTtl, 'minTtl', MIN_TTL_SECONDS, this.maxTtl)
    this.maxRegistrationsPerPeer = init.maxRegistrationsPerPeer ?? MAX_REGISTRATIONS_PER_PEER
    assertInteger(this.maxRegistrationsPerPeer, 'maxRegistrationsPerPeer', 1, Number.MAX_SAFE_INTEGER)
    this.maxDiscoverLimit = init.maxDiscoverLimit ?? MAX_DISCOVER_LIMIT
    assertInteger(this.maxDiscoverLimit, 'maxDiscoverLimit', 1, MAX_DISCOVER_LIMIT)
    this.store = init.store ?? new MemoryRegistrationStore()
    this.clock = init.clock ?? systemClock
  }

  /** Handles one decoded request from `remotePeer`. */
  async handle(remotePeer: PeerId, request: RendezvousRequest): Promise<Message | undefined> {
    switch (request.type) {
      case 'REGISTER': {
        const response = await this.#register(remotePeer, request)
        const status = response.registerResponse?.status ?? ResponseStatus.OK
        this.stats.register[status] = (this.stats.register[status] ?? 0) + 1
        return response
      }
      case 'UNREGISTER':
        this.stats.unregister++
        if (request.ns !== '' && namespaceBytes(request.ns) <= MAX_NAMESPACE_BYTES) {
          try {
            await this.store.delete(request.ns, remotePeer.toString())
          } catch {
            // UNREGISTER has no response; a store failure leaves the registration to lapse at its TTL.
          }
        }
        return undefined
      case 'DISCOVER': {
        const response = await this.#discover(request)
        const status = response.discoverResponse?.status ?? ResponseStatus.OK
        this.stats.discover[status] = (this.stats.discover[status] ?? 0) + 1
        this.stats.discovered += response.discoverResponse?.registrations.length ?? 0
        return response
      }
    }
  }

  async #register(
    remotePeer: PeerId,
    request: Extract<RendezvousRequest, { type: 'REGISTER' }>,
  ): Promise<Message> {
    const reply = (status: ResponseStatus, statusText: string, ttl?: bigint): Message => ({
      type: MessageType.REGISTER_RESPONSE,
      registerResponse: ttl === undefined ? { status, statusText } : { status, statusText, ttl },
    })
    if (request.ns === '') return reply(ResponseStatus.E_INVALID_NAMESPACE, 'missing namespace')
    if (namespaceBytes(request.ns) > MAX_NAMESPACE_BYTES) {
      return reply(ResponseStatus.E_INVALID_NAMESPACE, `namespace longer than ${MAX_NAMESPACE_BYTES} bytes`)
    }
    // No TTL (or 0) means the default of 2 h (spec "Registration Lifetime").
    const ttl = request.ttl === undefined || request.ttl === 0n ? BigInt(DEFAULT_TTL_SECONDS) : request.ttl
    if (ttl < BigInt(this.minTtl) || ttl > BigInt(this.maxTtl)) {
      return reply(ResponseStatus.E_INVALID_TTL, `ttl must be within ${this.minTtl}..${this.maxTtl} seconds`)
    }
    if (request.signedPeerRecord.byteLength > MAX_SIGNED_PEER_RECORD_BYTES) {
      return reply(ResponseStatus.E_INVALID_SIGNED_PEER_RECORD, 'signed peer record too large')
    }
    const record = await openPeerRecord(request.signedPeerRecord)
    if (record === undefined)
      return reply(ResponseStatus.E_INVALID_SIGNED_PEER_RECORD, 'invalid signed peer record')
    // "It is not allowed to register arbitrary peers in a namespace; only the peer initiating the registration
    // can register itself."
    if (!record.peerId.equals(remotePeer)) {
      return reply(ResponseStatus.E_NOT_AUTHORIZED, 'signed peer record is not of the registering peer')
    }
    const peerId = remotePeer.toString()
    const now = this.clock.now()
    try {
      const renewing = await this.store.has(request.ns, peerId, now)
      if (!renewing && (await this.store.countByPeer(peerId, now)) >= this.maxRegistrationsPerPeer) {
        return reply(
          ResponseStatus.E_NOT_AUTHORIZED,
          `more than ${this.maxRegistrationsPerPeer} registrations`,
        )
      }
      await this.store.put({
        namespace: request.ns,
        peerId,
        signedPeerRecord: request.signedPeerRecord.slice(),
        expiresAt: now + Number(ttl) * 1000,
      })
    } catch {
      return reply(ResponseStatus.E_INTERNAL_ERROR, 'registration store failed')
    }
    return reply(ResponseStatus.OK, 'OK', ttl)
  }

  async #discover(request: Extract<RendezvousRequest, { type: 'DISCOVER' }>): Promise<Message> {
    const reply = (status: ResponseStatus, statusText: string): Message => ({
      type: MessageType.DISCOVER_RESPONSE,
      discoverResponse: { registrations: [], status, statusText },
    })
    if (namespaceBytes(request.ns) > MAX_NAMESPACE_BYTES) {
      return reply(ResponseStatus.E_INVALID_NAMESPACE, `namespace longer than ${MAX_NAMESPACE_BYTES} bytes`)
    }
    const limit =
      request.limit === undefined || request.limit === 0n || request.limit > BigInt(this.maxDiscoverLimit)
        ? this.maxDiscoverLimit
        : Number(request.limit)
    let after = 0
    if (request.cookie !== undefined) {
      const cookie = decodeCookie(request.cookie, request.ns)
      if (cookie === undefined) return reply(ResponseStatus.E_INVALID_COOKIE, 'invalid cookie')
      // A cookie of another epoch predates a reset of the sequence numbers: start over.
      const sameEpoch = cookie.epoch.every((byte, i) => byte === this.store.epoch[i])
      after = sameEpoch ? cookie.seq : 0
    }
    const now = this.clock.now()
    let found
    try {
      found = await this.store.list(request.ns, after, limit, now)
    } catch {
      return reply(ResponseStatus.E_INTERNAL_ERROR, 'registration store failed')
    }
    // Keep the page under the response frame limit; the cookie then resumes after the last one sent.
    const registrations: Message.Register[] = []
    let bytes = 1024 + namespaceBytes(request.ns)
    let last = after
    for (const registration of found) {
      bytes += registration.signedPeerRecord.byteLength + namespaceBytes(registration.namespace) + 32
      if (bytes > MAX_RESPONSE_BYTES) break
      registrations.push({
        ns: registration.namespace,
        signedPeerRecord: new Uint8Array(registration.signedPeerRecord),
        ttl: BigInt(Math.max(1, Math.ceil((registration.expiresAt - now) / 1000))),
      })
      last = registration.seq
    }
    return {
      type: MessageType.DISCOVER_RESPONSE,
      discoverResponse: {
        registrations,
        cookie: new Uint8Array(encodeCookie(this.store.epoch, last, request.ns)),
        status: ResponseStatus.OK,
        statusText: 'OK',
      },
    }
  }

  /** Serves one `/rendezvous/1.0.0` stream: requests in order until the remote closes it or idles too long. */
  async serveStream(stream: Stream, connection: Connection, idleMs = DEFAULT_STREAM_IDLE_MS): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
    try {
      while (true) {
        if (stream.readStatus !== 'readable') break
        let frame
        try {
          frame = await lp.read({ signal: AbortSignal.timeout(idleMs) })
        } catch (error) {
          // The remote closed its end (end of requests), or sent nothing for idleMs, or an oversized frame.
          if (isEof(error)) break
          throw error
        }
        let request: RendezvousRequest
        try {
          request = decodeRequest(frame)
        } catch (error) {
          if (isWeshError(error)) this.stats.malformed++
          throw error
        }
        const response = await this.handle(connection.remotePeer, request)
        if (response !== undefined)
          await lp.write(encodeMessage(response), { signal: AbortSignal.timeout(idleMs) })
      }
      await stream.close()
    } catch (error) {
      this.stats.streamErrors++
      stream.abort(error instanceof Error ? error : new Error(String(error)))
    }
  }
}

function isEof(error: unknown): boolean {
  return error instanceof Error && error.name === 'UnexpectedEOFError'
}

/** What the server takes from libp2p (helia-style `Pick` of the components it uses). */
export interface RendezvousServerComponents {
  registrar: {
    handle(
      protocol: string,
      handler: (stream: Stream, connection: Connection) => void | Promise<void>,
      options?: { maxInboundStreams?: number },
    ): Promise<void>
    unhandle(protocol: string): Promise<void>
  }
}

export interface RendezvousServerInit extends RendezvousServiceInit {
  /** Protocol id to serve. Default `/rendezvous/1.0.0`. */
  protocol?: string
  /** Close a stream after this long without a request. Default {@link DEFAULT_STREAM_IDLE_MS}. */
  streamIdleMs?: number
  /** Sweep expired registrations this often (ms). Default {@link DEFAULT_PRUNE_INTERVAL_MS}. */
  pruneIntervalMs?: number
  /** Most concurrent inbound rendezvous streams per connection. Default 32. */
  maxInboundStreams?: number
  /** Close the store on `stop()`. Default `true`. */
  closeStoreOnStop?: boolean
}

/** A libp2p rendezvous server as a libp2p service: `services: { rendezvous: rendezvousServer({ store }) }`. */
export class RendezvousServer {
  readonly service: RendezvousService
  readonly protocol: string
  readonly #components: RendezvousServerComponents
  readonly #init: RendezvousServerInit
  readonly #streams = new Set<Promise<void>>()
  #pruneTimer: unknown = undefined
  #running = false

  constructor(components: RendezvousServerComponents, init: RendezvousServerInit = {}) {
    this.#components = components
    this.#init = init
    this.service = new RendezvousService(init)
    this.protocol = init.protocol ?? RENDEZVOUS_PROTOCOL
  }

  readonly [Symbol.toStringTag] = '@wesh/rendezvous-server'

  get stats(): RendezvousServerStats {
    return this.service.stats
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    await this.#components.registrar.handle(
      this.protocol,
      (stream, connection) => {
        const serving = this.service.serveStream(stream, connection, this.#init.streamIdleMs)
        this.#streams.add(serving)
        void serving.finally(() => this.#streams.delete(serving))
      },
      { maxInboundStreams: this.#init.maxInboundStreams ?? 32 },
    )
    this.#schedulePrune()
  }

  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.service.clock.clearTimeout(this.#pruneTimer)
    await this.#components.registrar.unhandle(this.protocol)
    await Promise.allSettled(this.#streams)
    if (this.#init.closeStoreOnStop ?? true) await this.service.store.close()
  }

  #schedulePrune(): void {
    const interval = this.#init.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS
    this.#pruneTimer = this.service.clock.setTimeout(() => {
      void this.service.store
        .prune(this.service.clock.now())
        .catch(() => undefined) // expired registrations are never served anyway; the next sweep retries
        .finally(() => {
          if (this.#running) this.#schedulePrune()
        })
    }, interval)
  }
}

/** Factory in libp2p's service style: `rendezvousServer(init)` → `(components) => RendezvousServer`. */
export function rendezvousServer(
  init: RendezvousServerInit = {},
): (components: RendezvousServerComponents) => RendezvousServer {
  return (components) => new RendezvousServer(components, init)
}

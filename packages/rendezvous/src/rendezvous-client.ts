import type { PeerId, PrivateKey, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { assertBytes, WeshError } from '@wesh/crypto'
import { abortError, throwIfAborted } from './abort.js'
import { mergePeerSources } from './combined-discovery.js'
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS, POINT_BYTES } from './constants.js'
import type { DiscoveredPeer, Discovery, LookupOptions, RegisterOptions, Registration } from './discovery.js'
import { RendezvousErrorCode } from './errors.js'
import { pointToNamespace } from './rendezvous-point.js'
import {
  decodeResponse,
  encodeMessage,
  MAX_DISCOVER_LIMIT,
  MAX_NAMESPACE_BYTES,
  MAX_RESPONSE_BYTES,
  MessageType,
  namespaceBytes,
  RENDEZVOUS_PROTOCOL,
  ResponseStatus,
  type RendezvousResponse,
} from './rendezvous-protocol.js'
import { isDirectAddress } from './local-records-protocol.js'
import { openPeerRecord, sealPeerRecord } from './signed-peer-record.js'

/** Default time allowed for one request/response exchange with a server. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** Most DISCOVER pages a client reads in one look-up (1 000 registrations each). */
export const MAX_DISCOVER_PAGES = 100

/** What the client takes from libp2p. */
export interface RendezvousClientComponents {
  peerId: PeerId
  privateKey: PrivateKey
  addressManager: { getAddresses(): Multiaddr[] }
  connectionManager: {
    openStream(
      peer: Multiaddr | PeerId,
      protocol: string,
      options?: { signal?: AbortSignal },
    ): Promise<Stream>
  }
}

export interface RendezvousClientInit {
  /** Rendezvous servers, as multiaddrs ending in `/p2p/<peer id>`. */
  servers: Array<Multiaddr | string>
  /** Protocol id. Default `/rendezvous/1.0.0`. */
  protocol?: string
  /** Time allowed for each exchange with a server, in ms. Default {@link DEFAULT_REQUEST_TIMEOUT_MS}. */
  timeout?: number
  /** Registrations per DISCOVER page. Default (and at most) 1 000. */
  pageSize?: number
}

/**
 * A client of libp2p rendezvous servers (`/rendezvous/1.0.0`) as a {@link Discovery}: points are namespaces
 * (standard base64 of the point, PROTOCOL.md §2). It registers and looks up on every configured server;
 * registering succeeds when one server accepts.
 */
export class RendezvousClient implements Discovery {
  readonly name = 'rendezvous-server'
  readonly protocol: string
  readonly #components: RendezvousClientComponents
  readonly #servers: Multiaddr[]
  readonly #timeout: number
  readonly #pageSize: number
  #controller = new AbortController()

  constructor(components: RendezvousClientComponents, init: RendezvousClientInit) {
    this.#components = components
    this.#servers = init.servers.map((server) => (typeof server === 'string' ? multiaddr(server) : server))
    if (
      this.#servers.length === 0 ||
      this.#servers.some((server) => server.getComponents().at(-1)?.name !== 'p2p')
    ) {
      throw new WeshError('INVALID_ARGUMENT', 'servers must be multiaddrs ending in /p2p/<peer id>', {
        data: { argument: 'servers' },
      })
    }
    this.protocol = init.protocol ?? RENDEZVOUS_PROTOCOL
    this.#timeout = init.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.#pageSize = init.pageSize ?? MAX_DISCOVER_LIMIT
  }

  readonly [Symbol.toStringTag] = '@wesh/rendezvous-client'

  get servers(): Multiaddr[] {
    return [...this.#servers]
  }

  start(): void {
    if (this.#controller.signal.aborted) this.#controller = new AbortController()
  }

  /** Aborts every exchange in flight. */
  stop(): void {
    this.#controller.abort(abortError())
  }

  async register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
    assertBytes(point, 'point', POINT_BYTES)
    const ttl = options.ttl ?? DEFAULT_TTL_SECONDS
    if (!Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > MAX_TTL_SECONDS) {
      throw new WeshError(
        'INVALID_ARGUMENT',
        `ttl must be an integer in ${MIN_TTL_SECONDS}..${MAX_TTL_SECONDS}`,
        {
          data: { argument: 'ttl', actual: ttl },
        },
      )
    }
    throwIfAborted(options.signal)
    const granted = await this.#onEveryServer(options.signal, (server, signal) =>
      this.registerNamespace(server, pointToNamespace(point), ttl, signal),
    )
    return { ttl: Math.min(...granted) }
  }

  async unregister(point: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertBytes(point, 'point', POINT_BYTES)
    throwIfAborted(options.signal)
    await this.#onEveryServer(options.signal, (server, signal) =>
      this.unregisterNamespace(server, pointToNamespace(point), signal),
    )
  }

  lookup(point: Uint8Array, options: LookupOptions = {}): AsyncIterable<DiscoveredPeer> {
    assertBytes(point, 'point', POINT_BYTES)
    const namespace = pointToNamespace(point)
    return mergePeerSources(
      this.#servers.map((server) => (signal) => this.discoverNamespace(server, namespace, signal)),
      options.signal,
    )
  }

  /** REGISTER on one server; returns the granted TTL in seconds. Throws `RENDEZVOUS_REJECTED` on a non-OK status. */
  async registerNamespace(
    server: Multiaddr,
    namespace: string,
    ttl: number,
    signal?: AbortSignal,
  ): Promise<number> {
    this.#checkNamespace(namespace, false)
    const { peerId, privateKey, addressManager } = this.#components
    // Direct-link addresses (`/ble/…`) mean nothing to peers who find us through a server, and a server that does not
    // know their protocol code cannot even decode the record: they stay out of it (PROTOCOL.md §2, §7).
    const internet = addressManager.getAddresses().filter((address) => !isDirectAddress(address))
    const signedPeerRecord = await sealPeerRecord(privateKey, peerId, internet)
    const response = await this.#exchange(server, signal, {
      type: MessageType.REGISTER,
      register: { ns: namespace, signedPeerRecord, ttl: BigInt(ttl) },
    })
    if (response?.type !== 'REGISTER_RESPONSE') throw unexpected(server)
    if (response.status !== ResponseStatus.OK) throw rejected(server, response.status, response.statusText)
    return response.ttl === undefined || response.ttl === 0n ? ttl : Number(response.ttl)
  }

  /** UNREGISTER on one server (the spec gives it no response). */
  async unregisterNamespace(server: Multiaddr, namespace: string, signal?: AbortSignal): Promise<void> {
    this.#checkNamespace(namespace, false)
    await this.#exchange(
      server,
      signal,
      { type: MessageType.UNREGISTER, unregister: { ns: namespace } },
      false,
    )
  }

  /**
   * DISCOVER on one server, following cookies page after page until a page comes back empty. Registrations whose
   * signed peer record does not verify, or whose namespace is not the one asked for, are skipped.
   */
  async *discoverNamespace(
    server: Multiaddr,
    namespace: string,
    signal?: AbortSignal,
  ): AsyncGenerator<DiscoveredPeer> {
    this.#checkNamespace(namespace, true)
    let cookie: Uint8Array<ArrayBuffer> | undefined
    for (let page = 0; page < MAX_DISCOVER_PAGES; page++) {
      const response = await this.#exchange(server, signal, {
        type: MessageType.DISCOVER,
        discover: {
          ns: namespace,
          limit: BigInt(this.#pageSize),
          ...(cookie === undefined ? {} : { cookie }),
        },
      })
      if (response?.type !== 'DISCOVER_RESPONSE') throw unexpected(server)
      if (response.status !== ResponseStatus.OK) throw rejected(server, response.status, response.statusText)
      for (const registration of response.registrations) {
        if (namespace !== '' && registration.ns !== namespace) continue
        const record = await openPeerRecord(registration.signedPeerRecord)
        throwIfAborted(signal)
        if (record !== undefined) yield { id: record.peerId, multiaddrs: record.multiaddrs }
        throwIfAborted(signal)
      }
      if (response.registrations.length === 0 || response.cookie === undefined) return
      cookie = new Uint8Array(response.cookie)
    }
  }

  #checkNamespace(namespace: string, emptyAllowed: boolean): void {
    const length = namespaceBytes(namespace)
    if ((!emptyAllowed && length === 0) || length > MAX_NAMESPACE_BYTES) {
      throw new WeshError('INVALID_ARGUMENT', `namespace must be 1..${MAX_NAMESPACE_BYTES} UTF-8 bytes`, {
        data: { argument: 'namespace', actual: length },
      })
    }
  }

  async #onEveryServer<T>(
    signal: AbortSignal | undefined,
    run: (server: Multiaddr, signal: AbortSignal) => Promise<T>,
  ): Promise<T[]> {
    const combined = AbortSignal.any([this.#controller.signal, ...(signal === undefined ? [] : [signal])])
    const results = await Promise.allSettled(this.#servers.map((server) => run(server, combined)))
    const values = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    if (values.length > 0) return values
    if (combined.aborted) throw abortError(combined)
    const first = results.find((result) => result.status === 'rejected')
    const cause: unknown = first?.status === 'rejected' ? first.reason : undefined
    if (this.#servers.length === 1 && cause instanceof WeshError) throw cause
    throw new WeshError(RendezvousErrorCode.DISCOVERY_FAILED, 'every rendezvous server failed', {
      data: { systems: this.#servers.length },
      cause,
    })
  }

  /** Opens a stream, writes one request, reads one response (unless `expectResponse` is false), closes. */
  async #exchange(
    server: Multiaddr,
    signal: AbortSignal | undefined,
    request: Parameters<typeof encodeMessage>[0],
    expectResponse = true,
  ): Promise<RendezvousResponse | undefined> {
    throwIfAborted(signal)
    const combined = AbortSignal.any([
      this.#controller.signal,
      AbortSignal.timeout(this.#timeout),
      ...(signal === undefined ? [] : [signal]),
    ])
    let stream: Stream | undefined
    try {
      stream = await this.#components.connectionManager.openStream(server, this.protocol, {
        signal: combined,
      })
      const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
      await lp.write(encodeMessage(request), { signal: combined })
      const response = expectResponse ? decodeResponse(await lp.read({ signal: combined })) : undefined
      await stream.close({ signal: combined })
      return response
    } catch (error) {
      stream?.abort(error instanceof Error ? error : new Error(String(error)))
      if (signal?.aborted === true || this.#controller.signal.aborted) throw abortError(signal)
      throw error
    }
  }
}

function unexpected(server: Multiaddr): WeshError {
  return new WeshError(RendezvousErrorCode.RENDEZVOUS_MALFORMED_MESSAGE, 'unexpected response type', {
    data: { reason: 'unexpected response type', server: server.toString() },
  })
}

function rejected(server: Multiaddr, status: ResponseStatus, statusText: string): WeshError {
  return new WeshError(RendezvousErrorCode.RENDEZVOUS_REJECTED, `rendezvous server answered ${status}`, {
    data: { status, statusText, server: server.toString() },
  })
}

/** Factory in libp2p's service style: `rendezvousClient({ servers })` → `(components) => RendezvousClient`. */
export function rendezvousClient(
  init: RendezvousClientInit,
): (components: RendezvousClientComponents) => RendezvousClient {
  return (components) => new RendezvousClient(components, init)
}

import {
  kadDHT,
  removePublicAddressesMapper,
  type KadDHT,
  type KadDHTComponents,
  type KadDHTInit,
  type QueryEvent,
} from '@libp2p/kad-dht'
import { assertBytes, assertInteger, isWeshError, toHex, WeshError } from '@wesh/crypto'
import { TypedEventEmitter } from 'main-event'
import type { CID } from 'multiformats/cid'
import { abortError, throwIfAborted } from './abort.js'
import { MAX_TIMER_MS, systemClock, type Clock } from './clock.js'
import { DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, MIN_TTL_SECONDS, POINT_BYTES } from './constants.js'
import type { DiscoveredPeer, Discovery, LookupOptions, RegisterOptions, Registration } from './discovery.js'
import { RendezvousErrorCode } from './errors.js'
import { pointToCid } from './rendezvous-point.js'

// PROTOCOL.md §2 system 1: register = `provide` of the point's CID, look up = `findProviders`.

/**
 * Default Kademlia protocol id of {@link rendezvousDht}: the one of `@libp2p/kad-dht` and of the public
 * (Amino) DHT that the reference implementation announces on. A closed network passes its own.
 */
export const DEFAULT_DHT_PROTOCOL = '/ipfs/kad/1.0.0'
/**
 * How long DHT nodes keep a provider record, in seconds: 48 h (the libp2p Kademlia specification and
 * `@libp2p/kad-dht`). The DHT system grants at most this; other nodes may answer with a record this long after
 * it was last provided, whatever TTL was asked.
 */
export const DHT_RECORD_LIFETIME_SECONDS = 48 * 60 * 60
/** Default time allowed for one `provide` or `findProviders` query. */
export const DEFAULT_DHT_TIMEOUT_MS = 60_000

/** The part of a `@libp2p/kad-dht` service that the DHT system uses. */
export type DhtRouting = Pick<KadDHT, 'provide' | 'findProviders' | 'cancelReprovide'>

export interface DhtDiscoveryInit {
  /** Longest TTL granted, in seconds. Default {@link DHT_RECORD_LIFETIME_SECONDS}. */
  recordLifetime?: number
  /**
   * Time allowed for one query, in ms. A `provide` that has reached at least one node by then succeeds; a
   * look-up ends with the providers found so far. Default {@link DEFAULT_DHT_TIMEOUT_MS}.
   */
  timeout?: number
  clock?: Clock
}

export interface DhtDiscoveryEvents {
  /** A registration reached its TTL without being renewed; this node no longer provides (or reprovides) it. */
  expire: CustomEvent<{ point: Uint8Array }>
  /** Withdrawing an expired registration from the local DHT store failed. */
  error: CustomEvent<{ point: Uint8Array; error: unknown }>
}

function dhtFailed(operation: 'provide' | 'findProviders', reason: string, cause?: unknown): WeshError {
  return new WeshError(RendezvousErrorCode.DHT_FAILED, `DHT ${operation} failed: ${reason}`, {
    data: { operation, reason },
    cause,
  })
}

function isDhtRouting(value: unknown): value is DhtRouting {
  if (typeof value !== 'object' || value === null) return false
  const dht = value as Partial<Record<keyof DhtRouting, unknown>>
  return (
    typeof dht.provide === 'function' &&
    typeof dht.findProviders === 'function' &&
    typeof dht.cancelReprovide === 'function'
  )
}

/**
 * The DHT as a {@link Discovery} (PROTOCOL.md §2 system 1): `register` provides the point's CID (CIDv1, raw,
 * sha2-256 multihash whose digest is the point) and `lookup` yields its providers. Registrations lapse after
 * their granted TTL unless renewed: the node then stops providing and reproviding the CID, and other nodes drop
 * the record at their own provider lifetime (so `unregister` is local: it stops reproviding).
 */
export class DhtDiscovery extends TypedEventEmitter<DhtDiscoveryEvents> implements Discovery {
  readonly name = 'dht'
  readonly #source: { readonly dht: unknown }
  readonly #recordLifetime: number
  readonly #timeout: number
  readonly #clock: Clock
  readonly #expiries = new Map<string, unknown>()
  #controller = new AbortController()

  /**
   * @param source - where the kad-dht service is: `{ dht: node.services.dht }`, or libp2p's components (read at
   * each call, so the service may be created after this one).
   */
  constructor(source: { readonly dht: unknown }, init: DhtDiscoveryInit = {}) {
    super()
    const recordLifetime = init.recordLifetime ?? DHT_RECORD_LIFETIME_SECONDS
    assertInteger(recordLifetime, 'recordLifetime', MIN_TTL_SECONDS, MAX_TTL_SECONDS)
    const timeout = init.timeout ?? DEFAULT_DHT_TIMEOUT_MS
    assertInteger(timeout, 'timeout', 1, MAX_TIMER_MS)
    this.#source = source
    this.#recordLifetime = recordLifetime
    this.#timeout = timeout
    this.#clock = init.clock ?? systemClock
  }

  readonly [Symbol.toStringTag] = '@wesh/rendezvous-dht'

  /** Points currently registered (not yet expired or withdrawn), as hex. */
  get registered(): string[] {
    return [...this.#expiries.keys()]
  }

  start(): void {
    if (this.#controller.signal.aborted) this.#controller = new AbortController()
  }

  /** Aborts queries in flight and forgets the expiry timers (the DHT service itself is stopped by libp2p). */
  stop(): void {
    this.#controller.abort(abortError())
    for (const handle of this.#expiries.values()) this.#clock.clearTimeout(handle)
    this.#expiries.clear()
  }

  async register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
    assertBytes(point, 'point', POINT_BYTES)
    const ttl = options.ttl ?? DEFAULT_TTL_SECONDS
    assertInteger(ttl, 'ttl', MIN_TTL_SECONDS, MAX_TTL_SECONDS)
    throwIfAborted(options.signal)
    const dht = this.#dht()
    const cid = pointToCid(point)
    const key = toHex(point)
    const query = this.#querySignal(options.signal)
    let stored = 0
    try {
      for await (const event of dht.provide(cid, { signal: query.signal })) {
        if (event.name === 'PEER_RESPONSE' && event.messageName === 'ADD_PROVIDER') stored++
      }
    } catch (error) {
      if (query.aborted()) throw abortError(options.signal)
      // A query cut short (timeout, or an error once some nodes took the record) still counts what it stored.
      if (!query.timedOut() && stored === 0) throw dhtFailed('provide', 'query failed', error)
    }
    if (query.aborted()) throw abortError(options.signal)
    if (stored === 0) {
      // Not announced anywhere: do not leave a record for the reprovider to publish later, unless an earlier
      // registration of the point is still running its course.
      if (!this.#expiries.has(key)) await dht.cancelReprovide(cid)
      throw dhtFailed('provide', query.timedOut() ? 'timed out' : 'no DHT node accepted the provider record')
    }
    const granted = Math.min(ttl, this.#recordLifetime)
    this.#scheduleExpiry(key, point, cid, granted)
    return { ttl: granted }
  }

  async unregister(point: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertBytes(point, 'point', POINT_BYTES)
    throwIfAborted(options.signal)
    const key = toHex(point)
    this.#clock.clearTimeout(this.#expiries.get(key))
    this.#expiries.delete(key)
    await this.#dht().cancelReprovide(pointToCid(point), options)
  }

  lookup(point: Uint8Array, options: LookupOptions = {}): AsyncIterable<DiscoveredPeer> {
    assertBytes(point, 'point', POINT_BYTES)
    return this.#lookup(pointToCid(point), options.signal)
  }

  async *#lookup(cid: CID, signal: AbortSignal | undefined): AsyncGenerator<DiscoveredPeer> {
    throwIfAborted(signal)
    const dht = this.#dht()
    const query = this.#querySignal(signal)
    const seen = new Set<string>()
    try {
      const events: AsyncIterable<QueryEvent> = dht.findProviders(cid, { signal: query.signal })
      for await (const event of events) {
        if (event.name !== 'PROVIDER') continue
        for (const provider of event.providers) {
          const id = provider.id.toString()
          if (seen.has(id)) continue
          seen.add(id)
          yield { id: provider.id, multiaddrs: provider.multiaddrs }
          throwIfAborted(signal)
        }
      }
    } catch (error) {
      if (isWeshError(error, RendezvousErrorCode.ABORTED)) throw error
      if (query.timedOut()) return // the DHT answered what it could in time
      if (query.aborted()) throw abortError(signal)
      throw dhtFailed('findProviders', 'query failed', error)
    }
    throwIfAborted(signal)
  }

  #dht(): DhtRouting {
    const dht = this.#source.dht
    if (!isDhtRouting(dht)) {
      throw new WeshError(
        'INVALID_ARGUMENT',
        'no kad-dht service (provide, findProviders, cancelReprovide)',
        {
          data: { argument: 'dht' },
        },
      )
    }
    return dht
  }

  #scheduleExpiry(key: string, point: Uint8Array, cid: CID, ttl: number): void {
    this.#clock.clearTimeout(this.#expiries.get(key))
    const copy = point.slice()
    const handle = this.#clock.setTimeout(() => {
      if (this.#expiries.get(key) !== handle) return
      this.#expiries.delete(key)
      this.#dht()
        .cancelReprovide(cid)
        .then(
          () => this.safeDispatchEvent('expire', { detail: { point: copy } }),
          (error: unknown) => this.safeDispatchEvent('error', { detail: { point: copy, error } }),
        )
    }, ttl * 1000)
    this.#expiries.set(key, handle)
  }

  /** One query's signal: the caller's, this object's stop, and the query timeout, told apart afterwards. */
  #querySignal(caller: AbortSignal | undefined): {
    signal: AbortSignal
    timedOut: () => boolean
    aborted: () => boolean
  } {
    // AbortSignal.timeout's timer does not keep the process alive, so an abandoned look-up holds nothing.
    const timeout = AbortSignal.timeout(this.#timeout)
    const stopped = this.#controller.signal
    const signal = AbortSignal.any([timeout, stopped, ...(caller === undefined ? [] : [caller])])
    return {
      signal,
      timedOut: () => timeout.aborted && caller?.aborted !== true && !stopped.aborted,
      aborted: () => caller?.aborted === true || stopped.aborted,
    }
  }
}

/**
 * Factory in libp2p's service style. The kad-dht service is read from the node's components under `service`
 * (default `'dht'`) when first used, so it may come before or after this one in `services`.
 */
export function dhtDiscovery(
  init: DhtDiscoveryInit & { service?: string } = {},
): (components: Record<string, unknown>) => DhtDiscovery {
  const service = init.service ?? 'dht'
  return (components) =>
    new DhtDiscovery(
      {
        get dht(): unknown {
          return components[service]
        },
      },
      init,
    )
}

export interface RendezvousDhtInit extends KadDHTInit {
  /**
   * A DHT of peers on loopback or a LAN: keep only private addresses of peers and answer queries at once
   * (`peerInfoMapper: removePublicAddressesMapper`, `clientMode: false`). Without it kad-dht drops private
   * addresses and stays a client until it sees a public address, so a local network's routing tables stay
   * empty. Default `false`.
   */
  lan?: boolean
}

/**
 * `@libp2p/kad-dht` with the Kademlia protocol id set (default {@link DEFAULT_DHT_PROTOCOL}) and, with
 * `lan: true`, the settings a loopback or LAN DHT needs. Every other kad-dht option passes through. The node
 * also needs the `identify` and `ping` services.
 */
export function rendezvousDht(init: RendezvousDhtInit = {}): (components: KadDHTComponents) => KadDHT {
  const { lan = false, ...rest } = init
  const protocol = rest.protocol ?? DEFAULT_DHT_PROTOCOL
  if (typeof protocol !== 'string' || !protocol.startsWith('/')) {
    throw new WeshError('INVALID_ARGUMENT', 'protocol must be a string starting with "/"', {
      data: { argument: 'protocol' },
    })
  }
  return kadDHT({
    ...(lan ? { peerInfoMapper: removePublicAddressesMapper, clientMode: false } : {}),
    ...rest,
    protocol,
  })
}

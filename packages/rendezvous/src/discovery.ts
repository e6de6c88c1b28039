import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A peer found on a rendezvous point. */
export interface DiscoveredPeer {
  id: PeerId
  multiaddrs: Multiaddr[]
}

export interface RegisterOptions {
  /** Requested lifetime in seconds; each system may grant less (or, for the DHT, its own provider lifetime). */
  ttl?: number
  signal?: AbortSignal
}

export interface LookupOptions {
  signal?: AbortSignal
}

/** What a system granted for a registration. */
export interface Registration {
  /** Lifetime in seconds after which the registration lapses unless renewed. */
  ttl: number
}

/**
 * One discovery system carrying rendezvous points (PROTOCOL.md §2): the DHT, rendezvous servers or local
 * records. Points are 32-byte `Uint8Array`s from `rendezvousPoint`. Every implementation passes
 * `runDiscoveryCompliance` from `@wesh/rendezvous/compliance`.
 */
export interface Discovery {
  /** Short name for logs and metrics ("dht", "rendezvous-server", "local"). */
  readonly name: string
  /** Announces this node on `point`. */
  register(point: Uint8Array, options?: RegisterOptions): Promise<Registration>
  /** Withdraws this node from `point`; a no-op when it was not registered. */
  unregister(point: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
  /** Peers registered on `point`, each at most once, as they are found; ends when the system has answered. */
  lookup(point: Uint8Array, options?: LookupOptions): AsyncIterable<DiscoveredPeer>
}

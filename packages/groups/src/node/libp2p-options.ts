import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import type { PeerDiscovery, Transport } from '@libp2p/interface'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Libp2pOptions } from 'libp2p'
import { announcedAddresses } from './announced-addresses.js'
import { type WeshServiceOptions, type WeshServices, weshServices } from './wesh-services.js'

export type { WeshServices } from './wesh-services.js'

/** Network settings of a Wesh node; every field has a default for a device on the internet. */
export interface WeshNetworkOptions extends WeshServiceOptions {
  /** Addresses to listen on. Default: TCP and WebSockets on every interface, ephemeral ports. */
  readonly listen?: readonly string[]
  /** Peers to connect to at start (bootstrap nodes, relays, known friends). */
  readonly bootstrap?: readonly string[]
  /** Find peers on the local network by multicast DNS. Default true; tests turn it off. */
  readonly mdns?: boolean
  /** More transports, such as `@wesh/transport-ble`. */
  readonly transports?: readonly ((components: never) => Transport)[]
  /** More peer discovery mechanisms. */
  readonly peerDiscovery?: readonly ((components: never) => PeerDiscovery)[]
  /**
   * Also serve as a circuit-relay v2 relay (service `circuitRelay`), so that peers which cannot listen — web
   * pages, peers behind NAT — take a reservation here and become reachable at `/p2p/<this node>/p2p-circuit`
   * addresses. Relayed connections carry no time or data limit: Wesh's protocols (contact requests, log sync) do
   * not run on limited connections. Default false.
   */
  readonly relayServer?: boolean
}

/**
 * The libp2p configuration of a Wesh node on Node.js (issue 4): TCP and WebSockets with Noise and Yamux; mDNS on
 * the LAN; for peers behind NAT the circuit-relay v2 client, listening through a relay unless the network is
 * `'lan'` (and, with `relayServer`, the relay itself); and the
 * services of {@link weshServices}.
 */
export function weshLibp2pOptions(options: WeshNetworkOptions = {}): Libp2pOptions<WeshServices> {
  const peerDiscovery = [
    ...(options.mdns === false ? [] : [mdns()]),
    ...(options.bootstrap?.length ? [bootstrap({ list: [...options.bootstrap] })] : []),
    ...(options.peerDiscovery ?? []),
  ]
  // Listening on `/p2p-circuit` asks for a relay reservation, and until one is found libp2p walks the DHT for
  // relays without pause. On a LAN or on 127.0.0.1 there is none to find: that walk wrote the peer store hundreds
  // of times a second on two idle nodes and slowed every disk operation of the process, log sync included.
  const relayed = options.dht !== 'lan'
  return {
    addresses: {
      listen: [
        ...(options.listen ?? ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']),
        ...(relayed ? ['/p2p-circuit'] : []),
      ],
      announceFilter: announcedAddresses,
    },
    transports: [tcp(), webSockets(), circuitRelayTransport(), ...(options.transports ?? [])] as NonNullable<
      Libp2pOptions<WeshServices>['transports']
    >,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: peerDiscovery as NonNullable<Libp2pOptions<WeshServices>['peerDiscovery']>,
    services: {
      ...weshServices(options),
      ...(options.relayServer
        ? { circuitRelay: circuitRelayServer({ reservations: { applyDefaultLimit: false } }) }
        : {}),
    },
  }
}

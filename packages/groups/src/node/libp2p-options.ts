import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { PeerDiscovery, Transport } from '@libp2p/interface'
import {
  type KadDHT,
  kadDHT,
  removePrivateAddressesMapper,
  removePublicAddressesMapper,
} from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { type Ping, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import {
  type DhtDiscovery,
  type LocalRecords,
  type RendezvousClient,
  dhtDiscovery,
  localRecords,
  rendezvousClient,
} from '@wesh/rendezvous'
import type { Libp2pOptions } from 'libp2p'

/** The services every Wesh node runs, by the keys other components look them up under. */
export type WeshServices = {
  identify: Identify
  ping: Ping
  pubsub: GossipSub
  dht: KadDHT
  dcutr: unknown
  autoNAT: unknown
  /** Rendezvous points on the DHT (PROTOCOL.md §2 system 1). */
  dhtDiscovery: DhtDiscovery
  /** Rendezvous points as local records over direct links such as Bluetooth LE (§2 system 3). */
  localRecords: LocalRecords
  /** Rendezvous servers (§2 system 2): present when `rendezvousServers` lists some. */
  rendezvousServers?: RendezvousClient
}

/** Network settings of a Wesh node; every field has a default for a device on the internet. */
export interface WeshNetworkOptions {
  /** Addresses to listen on. Default: TCP and WebSockets on every interface, ephemeral ports. */
  readonly listen?: readonly string[]
  /** Peers to connect to at start (bootstrap nodes, relays, known friends). */
  readonly bootstrap?: readonly string[]
  /** Find peers on the local network by multicast DNS. Default true; tests turn it off. */
  readonly mdns?: boolean
  /**
   * `'lan'` keeps private and loopback addresses in the DHT (a LAN or a test network on 127.0.0.1);
   * `'public'` (default) keeps only public ones, as kad-dht does on the internet.
   */
  readonly dht?: 'public' | 'lan'
  /** Kademlia protocol id, to run a DHT of our own. */
  readonly dhtProtocol?: string
  /** More transports, such as `@wesh/transport-ble`. */
  readonly transports?: readonly ((components: never) => Transport)[]
  /** Rendezvous servers (`/rendezvous/1.0.0`) to register and look up rendezvous points on, as multiaddrs with peer IDs. */
  readonly rendezvousServers?: readonly string[]
  /** More peer discovery mechanisms. */
  readonly peerDiscovery?: readonly ((components: never) => PeerDiscovery)[]
}

/**
 * The libp2p configuration of a Wesh node (issue 4): TCP and WebSockets with Noise and Yamux; identify,
 * ping, gossipsub (under `pubsub`, where OrbitDB looks), kad-dht; mDNS on the LAN; for peers behind NAT the
 * circuit-relay v2 client, DCUtR hole punching and AutoNAT; the three rendezvous systems of PROTOCOL.md §2
 * (DHT, local records, and rendezvous servers when given).
 */
export function weshLibp2pOptions(options: WeshNetworkOptions = {}): Libp2pOptions<WeshServices> {
  const lan = options.dht === 'lan'
  const peerDiscovery = [
    ...(options.mdns === false ? [] : [mdns()]),
    ...(options.bootstrap?.length ? [bootstrap({ list: [...options.bootstrap] })] : []),
    ...(options.peerDiscovery ?? []),
  ]
  return {
    addresses: {
      listen: [...(options.listen ?? ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws']), '/p2p-circuit'],
    },
    transports: [tcp(), webSockets(), circuitRelayTransport(), ...(options.transports ?? [])] as NonNullable<
      Libp2pOptions<WeshServices>['transports']
    >,
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: peerDiscovery as NonNullable<Libp2pOptions<WeshServices>['peerDiscovery']>,
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      dht: kadDHT({
        ...(options.dhtProtocol === undefined ? {} : { protocol: options.dhtProtocol }),
        clientMode: false,
        peerInfoMapper: lan ? removePublicAddressesMapper : removePrivateAddressesMapper,
      }),
      dcutr: dcutr(),
      autoNAT: autoNAT(),
      dhtDiscovery: dhtDiscovery(),
      localRecords: localRecords(),
      ...(options.rendezvousServers?.length
        ? { rendezvousServers: rendezvousClient({ servers: [...options.rendezvousServers] }) }
        : {}),
    },
  }
}

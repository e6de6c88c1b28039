import { autoNAT } from '@libp2p/autonat'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import {
  type KadDHT,
  kadDHT,
  removePrivateAddressesMapper,
  removePublicAddressesMapper,
} from '@libp2p/kad-dht'
import { type Ping, ping } from '@libp2p/ping'
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
  /** Absent on a `'lan'` network: see {@link weshServices}. */
  autoNAT?: unknown
  /** Rendezvous points on the DHT (PROTOCOL.md §2 system 1). */
  dhtDiscovery: DhtDiscovery
  /** Rendezvous points as local records over direct links such as Bluetooth LE (§2 system 3). */
  localRecords: LocalRecords
  /** Rendezvous servers (§2 system 2): present when `rendezvousServers` lists some. */
  rendezvousServers?: RendezvousClient
  /** A circuit-relay v2 relay for peers that cannot listen: present on Node with `relayServer: true`. */
  circuitRelay?: CircuitRelayService
}

/** What the services depend on, a subset of a node's network options. */
export interface WeshServiceOptions {
  /**
   * `'lan'` keeps private and loopback addresses in the DHT (a LAN or a test network on 127.0.0.1);
   * `'public'` (default) keeps only public ones, as kad-dht does on the internet.
   */
  readonly dht?: 'public' | 'lan'
  /** Kademlia protocol id, to run a DHT of our own. */
  readonly dhtProtocol?: string
  /** Rendezvous servers (`/rendezvous/1.0.0`) to register and look up rendezvous points on, as multiaddrs with peer IDs. */
  readonly rendezvousServers?: readonly string[]
}

/**
 * The libp2p services of a Wesh node, the same on every runtime: identify, ping, gossipsub (under `pubsub`, where
 * OrbitDB looks), kad-dht, DCUtR and AutoNAT (not on a `'lan'` network), and the three rendezvous systems of PROTOCOL.md §2 (DHT, local
 * records, and rendezvous servers when given).
 */
export function weshServices(
  options: WeshServiceOptions = {},
): NonNullable<Libp2pOptions<WeshServices>['services']> {
  const lan = options.dht === 'lan'
  return {
    identify: identify(),
    // Two parts of libp2p ping on their own: the connection monitor's heartbeat (every 10 s) and kad-dht's check of
    // a new contact. With the default of one outbound ping stream, the second to start failed, and when that was
    // the heartbeat, the monitor aborted the connection with every stream on it. Two is what the ping spec asks a
    // listener to accept.
    ping: ping({ maxOutboundStreams: 2 }),
    pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
    dht: kadDHT({
      ...(options.dhtProtocol === undefined ? {} : { protocol: options.dhtProtocol }),
      // A server even in a browser: a browser peer connected only to one Node peer would otherwise be left out of
      // that peer's routing table, and neither could find the other's rendezvous points.
      clientMode: false,
      peerInfoMapper: lan ? removePublicAddressesMapper : removePrivateAddressesMapper,
    }),
    dcutr: dcutr(),
    // AutoNAT tells a node whether the internet can dial its public addresses. On a LAN or on 127.0.0.1 none
    // ever verifies, so it spent 10 s of every minute in a random walk whose DHT queries, answered at once by the
    // few peers there, wrote the peer store hundreds of times a second and slowed every other disk operation.
    ...(lan ? {} : { autoNAT: autoNAT() }),
    dhtDiscovery: dhtDiscovery(),
    localRecords: localRecords(),
    ...(options.rendezvousServers?.length
      ? { rendezvousServers: rendezvousClient({ servers: [...options.rendezvousServers] }) }
      : {}),
  }
}

import type { ConnectionGater, PeerDiscovery, Transport } from '@libp2p/interface'
import type { WeshNetworkOptions, WeshNode, WeshNodeOptions } from '@wesh/groups/node'
import { SimulatedRadio, ble, bleDiscovery } from '@wesh/transport-ble'

/** What a device's node is given: its network settings and the gate that enforces the simulated topology. */
export interface SimNodeNetwork {
  readonly network: WeshNetworkOptions
  readonly libp2p: NonNullable<WeshNodeOptions['libp2p']>
}

const isTcp = (address: { toString(): string }): boolean => address.toString().includes('/tcp/')
const peerInAddress = (address: { toString(): string }): string | undefined =>
  /\/p2p\/([^/]+)/.exec(address.toString())?.[1]

/**
 * The simulated world the nodes live in. TCP on 127.0.0.1 is cut into islands: two devices talk over TCP only
 * when they are in the same island, and a device in no island has no internet at all. Every device also has a
 * simulated Bluetooth radio (`@wesh/transport-ble`), with islands of its own (who is within range of whom), so
 * devices cut from TCP still meet the ones next to them. The islands are enforced by a libp2p connection gater
 * on each node, the way the demo cuts TCP: the node refuses to dial or accept TCP across islands, and
 * {@link SimNetwork.applyTcpIslands} closes the TCP connections that a new partition cuts.
 */
export class SimNetwork {
  readonly radio: SimulatedRadio
  /** Device name → TCP island; `null`: no internet. */
  readonly #tcpIsland = new Map<string, string | null>()
  /** Peer ID → device name (a device keeps its peer ID across restarts). */
  readonly #names = new Map<string, string>()

  constructor(seed: number) {
    // Fast scanning: a device that comes within range is found within a tenth of a second.
    this.radio = new SimulatedRadio({ seed, scanIntervalMs: 100 })
  }

  /** Network settings for device `name`'s node: TCP on 127.0.0.1 plus its radio, gated by the islands. */
  nodeNetwork(name: string): SimNodeNetwork {
    if (!this.#tcpIsland.has(name)) this.#tcpIsland.set(name, 'internet')
    const driver = this.radio.device(name) ?? this.radio.createDevice(name, { island: null })
    const offline = () => this.#tcpIsland.get(name) === null
    const crosses = (peer: { toString(): string }, address: { toString(): string }) =>
      isTcp(address) && !this.tcpReachable(name, this.#names.get(peer.toString()))
    const gater: ConnectionGater = {
      denyDialMultiaddr: (address) => {
        if (!isTcp(address)) return false
        const peer = peerInAddress(address)
        return offline() || (peer !== undefined && !this.tcpReachable(name, this.#names.get(peer)))
      },
      denyInboundConnection: (connection) => isTcp(connection.remoteAddr) && offline(),
      denyInboundEncryptedConnection: (peer, connection) => crosses(peer, connection.remoteAddr),
      denyOutboundEncryptedConnection: (peer, connection) => crosses(peer, connection.remoteAddr),
    }
    return {
      network: {
        listen: ['/ip4/127.0.0.1/tcp/0', `/ble/${name}`],
        mdns: false,
        dht: 'lan',
        rendezvousServers: [],
        transports: [ble({ driver })] as ((components: never) => Transport)[],
        peerDiscovery: [bleDiscovery({ driver })] as ((components: never) => PeerDiscovery)[],
      },
      libp2p: { connectionGater: gater },
    }
  }

  /** Tells the gates which device a peer ID is (call once a node has started). */
  register(name: string, peerId: { toString(): string }): void {
    this.#names.set(peerId.toString(), name)
  }

  tcpIsland(name: string): string | null {
    return this.#tcpIsland.get(name) ?? null
  }

  /** True when `a` and `b` are in the same TCP island. An unknown device is reachable only if `a` is online. */
  tcpReachable(a: string, b: string | undefined): boolean {
    const island = this.#tcpIsland.get(a) ?? null
    if (island === null) return false
    return b === undefined || this.#tcpIsland.get(b) === island
  }

  /**
   * Moves devices to TCP islands (`null`: offline) and closes every TCP connection among `running` nodes that
   * the new islands cut, on both ends.
   */
  async applyTcpIslands(
    islands: ReadonlyMap<string, string | null>,
    running: readonly { readonly name: string; readonly node: WeshNode }[],
  ): Promise<void> {
    for (const [name, island] of islands) this.#tcpIsland.set(name, island)
    const closing: Promise<void>[] = []
    for (const { name, node } of running) {
      for (const connection of node.libp2p.getConnections()) {
        if (!isTcp(connection.remoteAddr)) continue
        if (this.tcpReachable(name, this.#names.get(connection.remotePeer.toString()))) continue
        closing.push(
          connection.close().catch(() => {
            connection.abort(new Error('partitioned'))
          }),
        )
      }
    }
    await Promise.all(closing)
  }

  /** Moves a device's radio to a Bluetooth island (`null`: out of everyone's range); links out of range drop. */
  moveRadio(name: string, island: string | null): void {
    this.radio.moveDevice(name, island)
  }
}

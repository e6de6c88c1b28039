import { identify, type Identify } from '@libp2p/identify'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { ping, type Ping } from '@libp2p/ping'
import { createLibp2p } from 'libp2p'
import type { TypedEventTarget } from 'main-event'
import { dhtDiscovery, rendezvousDht, type DhtDiscovery } from '../../src/index.js'
import { loopbackOptions } from './libp2p.js'

export type DhtNode = Libp2p<{ identify: Identify; ping: Ping; dht: KadDHT; rendezvous: DhtDiscovery }>

/** A loopback node running a LAN kad-dht on {@link TEST_DHT_PROTOCOL} and the DHT discovery. */
export function dhtNode(kBucketSize = 20): Promise<DhtNode> {
  return createLibp2p({
    ...loopbackOptions(),
    services: {
      identify: identify(),
      ping: ping(),
      dht: rendezvousDht({ lan: true, protocol: TEST_DHT_PROTOCOL, kBucketSize }),
      rendezvous: dhtDiscovery(),
    },
  })
}

/** Kademlia protocol of the test networks: not the default, to show the id is configurable. */
export const TEST_DHT_PROTOCOL = '/wesh-test/kad/1.0.0'

interface RoutingTable extends TypedEventTarget<{ 'peer:add': CustomEvent<PeerId> }> {
  size: number
}

/** kad-dht's routing table (public on the service object, not in its interface type). */
function routingTable(node: DhtNode): RoutingTable {
  return (node.services.dht as unknown as { routingTable: RoutingTable }).routingTable
}

/** Resolves once `node`'s routing table holds at least `min` peers, on its `peer:add` events. */
export function routingTableReaches(node: DhtNode, min: number, signal: AbortSignal): Promise<void> {
  const table = routingTable(node)
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (table.size < min) return
      table.removeEventListener('peer:add', check)
      signal.removeEventListener('abort', onAbort)
      resolve()
    }
    const onAbort = (): void => {
      table.removeEventListener('peer:add', check)
      reject(new Error(`routing table of ${node.peerId.toString()} stayed at ${table.size} < ${min} peers`))
    }
    table.addEventListener('peer:add', check)
    signal.addEventListener('abort', onAbort, { once: true })
    check()
  })
}

export interface DhtNetworkOptions {
  size: number
  /** Nodes every other node dials (they also dial each other). Default 2. */
  bootstrap?: number
  /** Kademlia k. Smaller than the network so that a record lives on a few nodes only. Default 20. */
  kBucketSize?: number
  /** Gives up waiting for the routing tables (the test's own signal, which aborts at its timeout). */
  signal?: AbortSignal
}

/**
 * `size` libp2p nodes on 127.0.0.1 running a LAN kad-dht on {@link TEST_DHT_PROTOCOL} and the DHT discovery,
 * every node connected to the bootstrap nodes; resolves when every routing table holds its direct neighbours.
 * On failure the nodes already started are stopped.
 */
export async function dhtNetwork(options: DhtNetworkOptions): Promise<DhtNode[]> {
  const bootstrap = options.bootstrap ?? 2
  const nodes: DhtNode[] = []
  try {
    const started = await Promise.allSettled(
      Array.from({ length: options.size }, () => dhtNode(options.kBucketSize)),
    )
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value)
    const failed = started.find((result) => result.status === 'rejected')
    if (failed?.status === 'rejected') throw failed.reason as Error
    const hubs = nodes.slice(0, bootstrap)
    // One dial at a time: dozens of simultaneous handshakes on a loaded machine outrun Noise's own timeout.
    for (const [i, node] of nodes.entries())
      for (const hub of hubs.slice(0, Math.min(i, bootstrap))) await node.dial(hub.getMultiaddrs())
    // Hubs hold everyone, up to what k-buckets of this k keep; the others hold the hubs.
    const k = options.kBucketSize ?? 20
    const signal = options.signal ?? new AbortController().signal
    await Promise.all(
      nodes.map((node, i) =>
        routingTableReaches(node, Math.min(k, i < bootstrap ? options.size - 1 : bootstrap), signal),
      ),
    )
    return nodes
  } catch (error) {
    await stopAll(nodes)
    throw error
  }
}

export async function stopAll(nodes: readonly DhtNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      await node.stop()
    }),
  )
}

import type { QueryEvent } from '@libp2p/kad-dht'
import { randomBytes, sha256 } from '@wesh/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { collectPeers, runDiscoveryCompliance } from '../src/compliance.js'
import {
  DEFAULT_DHT_PROTOCOL,
  DHT_RECORD_LIFETIME_SECONDS,
  DhtDiscovery,
  MAX_TTL_SECONDS,
  pointToCid,
  type DhtRouting,
} from '../src/index.js'
import { dhtNetwork, dhtNode, stopAll, TEST_DHT_PROTOCOL, type DhtNode } from './helpers/dht-network.js'
import { ManualClock } from './helpers/manual-clock.js'

describe('DHT discovery over TCP', () => {
  runDiscoveryCompliance({
    name: 'DhtDiscovery on a 6-node kad-dht',
    unregisterIsGlobal: false,
    setup: async () => {
      const nodes = await dhtNetwork({ size: 6 })
      const node = (i: number) => ({ discovery: nodes[i]!.services.rendezvous, peerId: nodes[i]!.peerId })
      return { registrar: node(5), second: node(4), searcher: node(3), nodes }
    },
    teardown: ({ nodes }) => stopAll(nodes),
  })
})

/** A kad-dht double: records calls; `provide` reaches `reached` nodes. */
class FakeDht implements DhtRouting {
  reached = 1
  cancelled: string[] = []
  provided: string[] = []

  // eslint-disable-next-line @typescript-eslint/require-await
  async *provide(key: Parameters<DhtRouting['provide']>[0]): ReturnType<DhtRouting['provide']> {
    this.provided.push(key.toString())
    for (let i = 0; i < this.reached; i++) {
      yield { name: 'PEER_RESPONSE', messageName: 'ADD_PROVIDER' } as QueryEvent
    }
  }

  async *findProviders(): ReturnType<DhtRouting['findProviders']> {
    // no providers
  }

  cancelReprovide(key: Parameters<DhtRouting['cancelReprovide']>[0]): Promise<void> {
    this.cancelled.push(key.toString())
    return Promise.resolve()
  }
}

describe('DhtDiscovery', () => {
  const NOW = Date.parse('2026-11-25T12:00:00Z')

  it('grants the requested TTL up to the DHT record lifetime', async () => {
    const discovery = new DhtDiscovery({ dht: new FakeDht() }, { clock: new ManualClock(NOW) })
    expect(await discovery.register(randomBytes(32), { ttl: 3600 })).toEqual({ ttl: 3600 })
    expect(await discovery.register(randomBytes(32), { ttl: MAX_TTL_SECONDS })).toEqual({
      ttl: DHT_RECORD_LIFETIME_SECONDS,
    })
    expect(await discovery.register(randomBytes(32))).toEqual({ ttl: 7200 })
    for (const ttl of [DHT_RECORD_LIFETIME_SECONDS, DHT_RECORD_LIFETIME_SECONDS + 1]) {
      expect(await discovery.register(randomBytes(32), { ttl })).toEqual({ ttl: DHT_RECORD_LIFETIME_SECONDS })
    }
    discovery.stop()
  })

  it('stops providing a point whose TTL lapses unrenewed, and keeps a renewed one', async () => {
    const clock = new ManualClock(NOW)
    const dht = new FakeDht()
    const discovery = new DhtDiscovery({ dht }, { clock })
    const lapsing = randomBytes(32)
    const renewed = randomBytes(32)
    await discovery.register(lapsing, { ttl: 100 })
    await discovery.register(renewed, { ttl: 100 })
    clock.advance(90_000)
    await discovery.register(renewed, { ttl: 100 })
    const expired = new Promise<Uint8Array>((resolve) => {
      discovery.addEventListener('expire', (event) => resolve(event.detail.point), { once: true })
    })
    clock.advance(10_000)
    expect(await expired).toEqual(lapsing)
    expect(dht.cancelled).toEqual([pointToCid(lapsing).toString()])
    expect(discovery.registered).toHaveLength(1)
    clock.advance(90_000)
    expect(dht.cancelled).toHaveLength(2)
    discovery.stop()
  })

  it('fails with DHT_FAILED when no DHT node accepts the record, and does not leave it to the reprovider', async () => {
    const dht = new FakeDht()
    dht.reached = 0
    const discovery = new DhtDiscovery({ dht }, { clock: new ManualClock(NOW) })
    const point = randomBytes(32)
    await expect(discovery.register(point)).rejects.toMatchObject({
      code: 'DHT_FAILED',
      data: { operation: 'provide' },
    })
    expect(dht.cancelled).toEqual([pointToCid(point).toString()])
    expect(discovery.registered).toEqual([])
  })

  it('withdraws on unregister and cancels the expiry timer', async () => {
    const clock = new ManualClock(NOW)
    const dht = new FakeDht()
    const discovery = new DhtDiscovery({ dht }, { clock })
    const point = randomBytes(32)
    await discovery.register(point)
    expect(clock.pendingTimers).toBe(1)
    await discovery.unregister(point)
    expect(clock.pendingTimers).toBe(0)
    expect(dht.cancelled).toEqual([pointToCid(point).toString()])
  })

  it('rejects bad options and a missing kad-dht service', async () => {
    expect(() => new DhtDiscovery({ dht: new FakeDht() }, { timeout: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    const discovery = new DhtDiscovery({ dht: new FakeDht() })
    await expect(discovery.register(randomBytes(32), { ttl: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    await expect(discovery.register(randomBytes(32), { ttl: MAX_TTL_SECONDS + 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    })
    const missing = new DhtDiscovery({ dht: undefined })
    await expect(missing.register(randomBytes(32))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(DEFAULT_DHT_PROTOCOL).toBe('/ipfs/kad/1.0.0')
  })
})

describe('DhtDiscovery on a node with an empty routing table', () => {
  let node: DhtNode | undefined
  afterEach(async () => {
    await node?.stop()
    node = undefined
  })

  it('fails to register with DHT_FAILED after its timeout, and ends a look-up empty', async () => {
    node = await dhtNode()
    const discovery = new DhtDiscovery({ dht: node.services.dht }, { timeout: 300 })
    await expect(discovery.register(randomBytes(32))).rejects.toMatchObject({
      code: 'DHT_FAILED',
      data: { operation: 'provide', reason: 'timed out' },
    })
    expect(await collectPeers(discovery.lookup(randomBytes(32)))).toEqual([])
  })
})

describe('20-node DHT', () => {
  let nodes: DhtNode[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('lets a node find a peer registered on a point from the far side of the network', async ({ signal }) => {
    // k = 5: a provider record lives on the 5 nodes closest to the point, not on all 20.
    nodes = await dhtNetwork({ size: 20, kBucketSize: 5, signal })
    expect(nodes[0]?.getProtocols()).toContain(TEST_DHT_PROTOCOL)
    const point = randomBytes(32)
    // The searcher is the node farthest from the point in Kademlia distance (XOR of SHA-256 ids), so it holds
    // no record and is not one of the bootstrap nodes everybody dialled.
    const key = kadId(pointToCid(point).multihash.bytes)
    const byDistance = nodes
      .slice(2)
      .map((node) => ({ node, distance: xor(key, kadId(node.peerId.toMultihash().bytes)) }))
    byDistance.sort((a, b) => compare(a.distance, b.distance))
    const registrar = byDistance[0]!.node
    const searcher = byDistance.at(-1)!.node
    expect(searcher.getConnections(registrar.peerId)).toEqual([])

    const granted = await registrar.services.rendezvous.register(point)
    expect(granted.ttl).toBe(7200)
    const found = await collectPeers(searcher.services.rendezvous.lookup(point))
    expect(found.map((peer) => peer.id.toString())).toEqual([registrar.peerId.toString()])
    expect(found[0]!.multiaddrs.map((ma) => ma.toString())).toContain(
      registrar.getMultiaddrs()[0]!.decapsulateCode(421).toString(),
    )
  })
})

/** kad-dht's id of a key or peer: SHA-256 of its bytes. */
function kadId(bytes: Uint8Array): Uint8Array {
  return sha256(bytes)
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((byte, i) => byte ^ (b[i] ?? 0))
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0)
  return 0
}

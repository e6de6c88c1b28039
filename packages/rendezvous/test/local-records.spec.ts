import type { Connection, Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { collectPeers, runDiscoveryCompliance } from '../src/compliance.js'
import {
  CombinedDiscovery,
  decodeLocalRecords,
  encodeLocalRecords,
  isBleConnection,
  LOCAL_RECORDS_PROTOCOL,
  LocalRecordList,
  localRecords,
  MAX_LOCAL_PEERS,
  MAX_LOCAL_RECORDS,
  MAX_LOCAL_RECORDS_BYTES,
  MAX_TTL_SECONDS,
  type Discovery,
  type LocalRecords,
} from '../src/index.js'
import { link, linkedNode, nextRecords, registerBleProtocol, type LinkedNode } from './helpers/local-link.js'
import { loopbackNode } from './helpers/libp2p.js'
import { ManualClock } from './helpers/manual-clock.js'

// Over 10 000 fuzz cases in CI (2 properties x 5 000); FUZZ_RUNS scales each property.
const RUNS = Number(process.env.FUZZ_RUNS ?? 5_000)
const NOW = Date.parse('2026-11-25T12:00:00Z')

type Node = Libp2p<{ rendezvous: LocalRecords }>

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isWeshError(error)) return error.code
    throw error
  }
  return 'none'
}

/** A list frame of exactly `total` bytes: one record plus an unknown field that decoders skip. */
function frameOfSize(total: number): Uint8Array {
  const base = encodeLocalRecords({ records: [{ point: new Uint8Array(32), expiresAt: 1 }], version: 1 })
  for (let padding = total - base.length - 4; padding >= 0; padding--) {
    const field = [0x7a] // field 15, length-delimited: unknown to LocalRecordList
    let length = padding
    while (length >= 0x80) {
      field.push((length & 0x7f) | 0x80)
      length >>>= 7
    }
    field.push(length)
    const frame = new Uint8Array([...base, ...field, ...new Uint8Array(padding)])
    if (frame.length === total) return frame
  }
  throw new Error('no such size')
}

describe('local records codec', () => {
  it('round-trips a list, keeping the latest expiry of a point listed twice', () => {
    const point = randomBytes(32)
    const other = randomBytes(32)
    const decoded = decodeLocalRecords(
      encodeLocalRecords({
        records: [
          { point, expiresAt: 10 },
          { point: other, expiresAt: 5 },
          { point, expiresAt: 20 },
        ],
        version: 7,
      }),
    )
    expect(decoded.version).toBe(7)
    expect(decoded.records.map((r) => [toHex(r.point), r.expiresAt])).toEqual([
      [toHex(point), 20],
      [toHex(other), 5],
    ])
  })

  it('decodes MAX_LOCAL_RECORDS records and rejects one more', () => {
    const list = (n: number) =>
      LocalRecordList.encode({
        records: Array.from({ length: n }, (_, i) => ({
          point: new Uint8Array(32).fill(i % 256),
          expiresAt: 1n,
        })),
        version: 1n,
      })
    expect(decodeLocalRecords(list(MAX_LOCAL_RECORDS)).records).toHaveLength(256) // distinct points
    expect(code(() => decodeLocalRecords(list(MAX_LOCAL_RECORDS + 1)))).toBe('LOCAL_RECORDS_MALFORMED')
    const points = Array.from({ length: MAX_LOCAL_RECORDS + 1 }, () => ({
      point: randomBytes(32),
      expiresAt: 1,
    }))
    expect(encodeLocalRecords({ records: points.slice(1), version: 1 }).length).toBeLessThan(
      MAX_LOCAL_RECORDS_BYTES,
    )
    expect(code(() => encodeLocalRecords({ records: points, version: 1 }))).toBe('INVALID_ARGUMENT')
  })

  it('decodes a frame of MAX_LOCAL_RECORDS_BYTES and rejects one byte more', () => {
    expect(decodeLocalRecords(frameOfSize(MAX_LOCAL_RECORDS_BYTES)).records).toHaveLength(1)
    expect(code(() => decodeLocalRecords(frameOfSize(MAX_LOCAL_RECORDS_BYTES + 1)))).toBe(
      'LOCAL_RECORDS_MALFORMED',
    )
  })

  it('rejects records without a 32-byte point or without an expiry', () => {
    for (const record of [
      { point: new Uint8Array(31), expiresAt: 1n },
      { point: new Uint8Array(33), expiresAt: 1n },
      { expiresAt: 1n },
      { point: new Uint8Array(32) },
    ]) {
      expect(code(() => decodeLocalRecords(LocalRecordList.encode({ records: [record], version: 1n })))).toBe(
        'LOCAL_RECORDS_MALFORMED',
      )
    }
  })

  it('throws only LOCAL_RECORDS_MALFORMED on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = code(() => decodeLocalRecords(bytes))
        expect(['none', 'LOCAL_RECORDS_MALFORMED']).toContain(result)
      }),
      { numRuns: RUNS },
    )
  })

  it('decodes what it encodes, and survives any single-byte corruption of it (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ point: fc.uint8Array({ minLength: 32, maxLength: 32 }), expiresAt: fc.nat() }), {
          maxLength: 8,
        }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (records, version, at, flip) => {
          const bytes = encodeLocalRecords({ records, version })
          const decoded = decodeLocalRecords(bytes)
          expect(decoded.version).toBe(version)
          expect(new Set(decoded.records.map((r) => toHex(r.point)))).toEqual(
            new Set(records.map((r) => toHex(r.point))),
          )
          if (bytes.length === 0) return
          const corrupt = bytes.slice()
          corrupt[at % corrupt.length]! ^= flip
          expect(['none', 'LOCAL_RECORDS_MALFORMED']).toContain(code(() => decodeLocalRecords(corrupt)))
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('isBleConnection (the default isDirect)', () => {
  it('is true for a /ble remote address and false for TCP, even though libp2p calls TCP "direct"', () => {
    registerBleProtocol()
    const peer = '12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5'
    expect(isBleConnection({ remoteAddr: multiaddr(`/ble/device-1/p2p/${peer}`) })).toBe(true)
    expect(isBleConnection({ remoteAddr: multiaddr('/ble/device-1') })).toBe(true)
    expect(isBleConnection({ remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peer}`) })).toBe(false)
    expect(isBleConnection({ remoteAddr: multiaddr('/ip6/::1/udp/4001/quic-v1') })).toBe(false)
  })
})

describe('local records over TCP connections the test marks direct', () => {
  // The test marks links direct: a connection counts as direct, on both sides, when the pair of its ends is here.
  const directLinks = new Set<string>()
  const pair = (a: { toString(): string }, b: { toString(): string }): string =>
    [a.toString(), b.toString()].sort().join()
  const markDirect = (...nodes: Node[]): void => {
    for (const a of nodes) for (const b of nodes) if (a !== b) directLinks.add(pair(a.peerId, b.peerId))
  }
  async function node(): Promise<Node> {
    const self = { id: '' }
    const created: Node = await loopbackNode({
      rendezvous: localRecords({
        isDirect: (connection) => directLinks.has(pair(self.id, connection.remotePeer)),
      }),
    })
    self.id = created.peerId.toString()
    return created
  }

  runDiscoveryCompliance({
    name: 'LocalRecords between directly connected peers',
    setup: async () => {
      const [registrar, second, searcher] = await Promise.all([node(), node(), node()])
      const nodes = [registrar, second, searcher]
      markDirect(...nodes)
      const exchanged = [
        nextRecords(searcher.services.rendezvous, registrar.peerId),
        nextRecords(searcher.services.rendezvous, second.peerId),
      ]
      await searcher.dial(registrar.getMultiaddrs())
      await searcher.dial(second.getMultiaddrs())
      await Promise.all(exchanged)
      const view = (node: Node) => ({ discovery: node.services.rendezvous, peerId: node.peerId })
      return { registrar: view(registrar), second: view(second), searcher: view(searcher), nodes }
    },
    teardown: ({ nodes }) => stopNodes(nodes),
  })

  let nodes: Node[] = []
  afterEach(async () => {
    await stopNodes(nodes)
    nodes = []
  })

  it('exchanges both lists when a direct connection opens', async () => {
    nodes = await Promise.all([node(), node()])
    const [alice, bob] = nodes as [Node, Node]
    markDirect(alice, bob)
    const alicePoint = randomBytes(32)
    const bobPoint = randomBytes(32)
    await alice.services.rendezvous.register(alicePoint) // no direct peer yet: kept for later
    await bob.services.rendezvous.register(bobPoint)
    const bobHeard = nextRecords(bob.services.rendezvous, alice.peerId)
    const aliceHeard = nextRecords(alice.services.rendezvous, bob.peerId)
    await bob.dial(alice.getMultiaddrs())
    expect(await bobHeard).toBe(1)
    expect(await aliceHeard).toBe(1)
    const found = await collectPeers(bob.services.rendezvous.lookup(alicePoint))
    expect(found.map((peer) => peer.id.toString())).toEqual([alice.peerId.toString()])
    expect(found[0]?.multiaddrs.length).toBe(1)
    expect(
      (await collectPeers(alice.services.rendezvous.lookup(bobPoint))).map((p) => p.id.toString()),
    ).toEqual([bob.peerId.toString()])
  })

  it('never sends a list over a connection that is not direct, and refuses one sent over it', async () => {
    nodes = await Promise.all([node(), node(), node()])
    const [alice, internet, nearby] = nodes as [Node, Node, Node]
    markDirect(alice, nearby) // alice–internet is not a direct link
    const exchanged = nextRecords(nearby.services.rendezvous, alice.peerId)
    await nearby.dial(alice.getMultiaddrs())
    await exchanged
    const point = randomBytes(32)
    await alice.services.rendezvous.register(point)
    await internet.dial(alice.getMultiaddrs())
    const pushed = nextRecords(nearby.services.rendezvous, alice.peerId)
    await alice.services.rendezvous.register(randomBytes(32)) // a push: goes to direct peers only
    expect(await pushed).toBe(2)
    expect(internet.services.rendezvous.stats.sent).toBe(0)
    expect(internet.services.rendezvous.peerCount).toBe(0)
    const sentToNearby = alice.services.rendezvous.stats.sent

    // The internet peer speaks the protocol anyway: alice resets the stream, stores nothing, answers nothing.
    const stream = await internet.dialProtocol(alice.peerId, LOCAL_RECORDS_PROTOCOL)
    const lp = lpStream(stream)
    await lp
      .write(encodeLocalRecords({ records: [{ point, expiresAt: 2 ** 40 }], version: 1 }))
      .catch(() => undefined)
    await expect(lp.read()).rejects.toBeDefined()
    expect(alice.services.rendezvous.stats).toMatchObject({ refused: 1, sent: sentToNearby })
    expect(alice.services.rendezvous.peerCount).toBe(1) // nearby only
    expect(await collectPeers(internet.services.rendezvous.lookup(point))).toEqual([])
  })
})

describe('local records over in-memory links', () => {
  const stopAll = async (...nodes: LinkedNode[]) => {
    for (const node of nodes) await node.records.stop()
  }

  it('treats a /ble connection as direct by default and a TCP one as not', async () => {
    const [alice, bob, carol] = await Promise.all([linkedNode(), linkedNode(), linkedNode()])
    const point = randomBytes(32)
    await alice.records.register(point)
    const heard = nextRecords(bob.records, alice.peerId)
    link(bob, alice, true)
    link(carol, alice, false)
    await heard
    expect((await collectPeers(bob.records.lookup(point))).map((p) => p.multiaddrs[0]?.toString())).toEqual([
      `/ble/device-${alice.index}`,
    ])
    expect(await collectPeers(carol.records.lookup(point))).toEqual([])
    expect(carol.records.stats.sent).toBe(0)
    await stopAll(alice, bob, carol)
  })

  it('keeps records until they expire, after the link is gone, and caps expiries at 72 h', async () => {
    const clock = new ManualClock(NOW)
    const [alice, bob] = await Promise.all([linkedNode({ clock }), linkedNode({ clock })])
    const shortLived = randomBytes(32)
    await alice.records.register(shortLived, { ttl: 60 })
    const heard = nextRecords(bob.records, alice.peerId)
    link(bob, alice, true)
    await heard
    alice.connections.length = 0
    bob.connections.length = 0
    clock.advance(59_000)
    expect(await collectPeers(bob.records.lookup(shortLived))).toHaveLength(1)
    clock.advance(1_000)
    expect(await collectPeers(bob.records.lookup(shortLived))).toEqual([])

    // A peer claiming an expiry centuries ahead is held for 72 h only.
    const far = randomBytes(32)
    const stream = await bob.accept(LOCAL_RECORDS_PROTOCOL, directFrom(alice))
    const lp = lpStream(stream)
    await lp.write(encodeLocalRecords({ records: [{ point: far, expiresAt: 2 ** 45 }], version: NOW * 2 }))
    await lp.read()
    clock.advance(MAX_TTL_SECONDS * 1000 - 1)
    expect(await collectPeers(bob.records.lookup(far))).toHaveLength(1)
    clock.advance(1)
    expect(await collectPeers(bob.records.lookup(far))).toEqual([])
    await stopAll(alice, bob)
  })

  it('ignores a list older than the last one heard from the same peer', async () => {
    const [alice, bob] = await Promise.all([linkedNode(), linkedNode()])
    const fresh = randomBytes(32)
    const stale = randomBytes(32)
    const send = async (point: Uint8Array, version: number) => {
      const lp = lpStream(await bob.accept(LOCAL_RECORDS_PROTOCOL, directFrom(alice)))
      await lp.write(encodeLocalRecords({ records: [{ point, expiresAt: 2 ** 40 }], version }))
      await lp.read()
    }
    await send(fresh, 10)
    await send(stale, 5)
    await send(stale, 10)
    expect(await collectPeers(bob.records.lookup(fresh))).toHaveLength(1)
    expect(await collectPeers(bob.records.lookup(stale))).toEqual([])
    expect(bob.records.stats.received).toBe(1)
    await stopAll(alice, bob)
  })

  it('drops a malformed list without touching what other peers sent', async () => {
    const [alice, bob, mallory] = await Promise.all([linkedNode(), linkedNode(), linkedNode()])
    const point = randomBytes(32)
    await alice.records.register(point)
    const heard = nextRecords(bob.records, alice.peerId)
    link(bob, alice, true)
    await heard
    for (const frame of [Uint8Array.of(0x0a, 0x05, 0x01), frameOfSize(MAX_LOCAL_RECORDS_BYTES + 1)]) {
      const lp = lpStream(await bob.accept(LOCAL_RECORDS_PROTOCOL, directFrom(mallory)), {
        maxDataLength: MAX_LOCAL_RECORDS_BYTES * 2,
      })
      await lp.write(frame).catch(() => undefined)
      await expect(lp.read()).rejects.toBeDefined()
    }
    expect(bob.records.stats.malformed + bob.records.stats.failed).toBe(2)
    expect(await collectPeers(bob.records.lookup(point))).toHaveLength(1)
    await stopAll(alice, bob, mallory)
  })

  it(`keeps the lists of ${MAX_LOCAL_PEERS} peers and evicts the least recently heard for one more`, async () => {
    const bob = await linkedNode()
    const point = randomBytes(32)
    const peers = await Promise.all(Array.from({ length: MAX_LOCAL_PEERS + 1 }, () => linkedNode()))
    for (const peer of peers) {
      const lp = lpStream(await bob.accept(LOCAL_RECORDS_PROTOCOL, directFrom(peer)))
      await lp.write(encodeLocalRecords({ records: [{ point, expiresAt: 2 ** 40 }], version: 1 }))
      await lp.read()
      if (peer === peers[MAX_LOCAL_PEERS - 1]) expect(bob.records.peerCount).toBe(MAX_LOCAL_PEERS)
    }
    expect(bob.records.peerCount).toBe(MAX_LOCAL_PEERS)
    const found = (await collectPeers(bob.records.lookup(point))).map((p) => p.id.toString())
    expect(found).toHaveLength(MAX_LOCAL_PEERS)
    expect(found).not.toContain(peers[0]?.peerId.toString())
    expect(found).toContain(peers[MAX_LOCAL_PEERS]?.peerId.toString())
    await stopAll(bob, ...peers)
  })

  it('answers a combined look-up first, while slower systems are still searching', async () => {
    const [alice, bob] = await Promise.all([linkedNode(), linkedNode()])
    const point = randomBytes(32)
    await alice.records.register(point)
    const heard = nextRecords(bob.records, alice.peerId)
    link(bob, alice, true)
    await heard
    let slowStopped = false
    const slow: Discovery = {
      name: 'slow',
      register: () => Promise.resolve({ ttl: 1 }),
      unregister: () => Promise.resolve(),
      async *lookup(_point, options = {}) {
        // Finds nothing until aborted, like a DHT query that takes its time.
        await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()))
        slowStopped = true
        yield* []
      },
    }
    const combined = new CombinedDiscovery([slow, bob.records])
    for await (const peer of combined.lookup(point)) {
      expect(peer.id.equals(alice.peerId)).toBe(true)
      expect(slowStopped).toBe(false)
      break
    }
    await stopAll(alice, bob)
  })

  it(`holds ${MAX_LOCAL_RECORDS} points of its own and refuses one more with LOCAL_RECORDS_FULL`, async () => {
    const alice = await linkedNode()
    for (let i = 0; i < MAX_LOCAL_RECORDS; i++) await alice.records.register(randomBytes(32))
    await expect(alice.records.register(randomBytes(32))).rejects.toMatchObject({
      code: 'LOCAL_RECORDS_FULL',
    })
    await stopAll(alice)
  })
})

async function stopNodes(nodes: Node[]): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      await node.stop()
    }),
  )
}

/** A direct (`/ble`) inbound connection from `remote`, for streams opened by hand. */
function directFrom(remote: LinkedNode): Connection {
  return {
    remotePeer: remote.peerId,
    remoteAddr: remote.address(true),
    direction: 'inbound',
    status: 'open',
  } as unknown as Connection
}

import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import {
  BLE_PROTOCOL_CODE,
  BleErrorCode,
  SimulatedRadio,
  bleMultiaddr,
  deviceIdOf,
  isBleMultiaddr,
  isDirectTransportAddress,
  isDirectTransportConnection,
  decodeAdvertisement,
} from '../src/index.js'
import { createBleNode, type BleNode } from './nodes.js'
import { nextDetail } from './helpers.js'
import type { Connection, PeerInfo, Transport } from '@libp2p/interface'

const nodes: BleNode[] = []
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop()
})

async function start(radio: SimulatedRadio, deviceId: string, options: { discovery?: boolean } = {}) {
  const node = await createBleNode(radio, deviceId, options)
  nodes.push(node)
  return node
}

function connectedTo(node: BleNode, other: BleNode): Promise<Connection> {
  const existing = node.getConnections(other.peerId)[0]
  if (existing !== undefined) return Promise.resolve(existing)
  return new Promise((resolve) => {
    const onOpen = (event: CustomEvent<Connection>) => {
      if (!event.detail.remotePeer.equals(other.peerId)) return
      node.removeEventListener('connection:open', onOpen)
      resolve(event.detail)
    }
    node.addEventListener('connection:open', onOpen)
  })
}

describe('ble multiaddrs', () => {
  it('parses and prints /ble/<device id>, with or without a peer id', () => {
    const ma = bleMultiaddr('phone-1')
    expect(ma.toString()).toBe('/ble/phone-1')
    expect(ma.getComponents()[0]?.code).toBe(BLE_PROTOCOL_CODE)
    expect(multiaddr(ma.bytes).toString()).toBe('/ble/phone-1')
    expect(
      deviceIdOf(multiaddr('/ble/phone-1/p2p/12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5')),
    ).toBe('phone-1')
    expect(isBleMultiaddr(multiaddr('/ip4/127.0.0.1/tcp/1'))).toBe(false)
    expect(isDirectTransportAddress(ma)).toBe(true)
    expect(isDirectTransportAddress(multiaddr('/ip4/127.0.0.1/tcp/1'))).toBe(false)
    expect(() => multiaddr('/ble/bad!id')).toThrow()
    expect(() => bleMultiaddr('bad/id')).toThrow(
      expect.objectContaining({ code: BleErrorCode.BLE_MULTIADDR_INVALID }),
    )
    expect(() => deviceIdOf(multiaddr('/ip4/127.0.0.1'))).toThrow(
      expect.objectContaining({ code: BleErrorCode.BLE_MULTIADDR_INVALID }),
    )
  })
})

describe('ble transport', () => {
  it('lets two nodes with only this transport find each other, connect, identify and ping', async () => {
    const radio = new SimulatedRadio({ latencyMs: 2, throughput: 1e6 })
    const alice = await start(radio, 'alice')
    const bob = await start(radio, 'bob')
    const [conn] = await Promise.all([connectedTo(alice, bob), connectedTo(bob, alice)])
    expect(conn.remoteAddr.toString()).toMatch(/^\/ble\/bob/)
    expect(isDirectTransportConnection(conn)).toBe(true)
    expect(conn.direct).toBe(true)
    expect(conn.encryption).toBe('/noise')
    expect(conn.multiplexer).toBe('/yamux/1.0.0')
    const rtt = await alice.services.ping.ping(bob.peerId)
    expect(rtt).toBeGreaterThanOrEqual(0)
    await expect
      .poll(async () => (await alice.peerStore.get(bob.peerId)).protocols)
      .toContain('/ipfs/ping/1.0.0')
    expect(alice.getMultiaddrs().map(String)).toEqual([`/ble/alice/p2p/${alice.peerId.toString()}`])
  })

  it('reports nearby peers as libp2p peer discovery events', async () => {
    const radio = new SimulatedRadio({ latencyMs: 1 })
    const alice = await start(radio, 'alice')
    const found = nextDetail<PeerInfo>(alice, 'peer:discovery')
    const bob = await start(radio, 'bob', { discovery: false })
    const info = await found
    expect(info.id.equals(bob.peerId)).toBe(true)
    expect(decodeAdvertisement(radio.device('bob')!.advertisement!)?.equals(bob.peerId)).toBe(true)
  })

  it('dials a /ble address explicitly and closes cleanly', async () => {
    const radio = new SimulatedRadio({ latencyMs: 1 })
    const alice = await start(radio, 'alice', { discovery: false })
    const bob = await start(radio, 'bob', { discovery: false })
    const conn = await alice.dial(bleMultiaddr('bob', bob.peerId.toString()))
    expect(conn.remotePeer.equals(bob.peerId)).toBe(true)
    // One round trip first: yamux aborts (instead of closing) a connection closed before the answer to its
    // initial keep-alive ping arrives (a race in @libp2p/yamux 8, visible on any link slower than loopback).
    await alice.services.ping.ping(bob.peerId)
    // Whichever side's close reaches the other first, the radio link is down once both connections have closed.
    const bobClosed = nextDetail<Connection>(bob, 'connection:close')
    await conn.close()
    expect(conn.status).toBe('closed')
    await bobClosed
    expect(radio.linkCount).toBe(0)
  })

  it('fails to dial a device that is out of range', async () => {
    const radio = new SimulatedRadio({ latencyMs: 1 })
    const alice = await start(radio, 'alice', { discovery: false })
    radio.createDevice('carol', { island: 'far' })
    await expect(alice.dial(bleMultiaddr('carol'))).rejects.toThrow()
  })

  it('filters addresses: listens on /ble/<id> only and dials /ble/<id>[/p2p/<peer>]', async () => {
    const radio = new SimulatedRadio()
    const alice = await start(radio, 'alice', { discovery: false })
    const internals = alice as unknown as {
      components: { transportManager: { getTransports(): Transport[] } }
    }
    const transport = internals.components.transportManager.getTransports()[0]!
    const addrs = [
      multiaddr('/ble/x'),
      multiaddr('/ble/x/p2p/12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5'),
      multiaddr('/ip4/1.2.3.4/tcp/5'),
      multiaddr('/ble/x/ip4/1.2.3.4'),
    ]
    expect(transport.listenFilter(addrs).map(String)).toEqual(['/ble/x'])
    expect(transport.dialFilter(addrs).map(String)).toEqual([addrs[0]!.toString(), addrs[1]!.toString()])
  })
})

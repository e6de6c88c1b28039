import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr, registry, V } from '@multiformats/multiaddr'
import { afterAll, describe, expect, it } from 'vitest'
import { weshLibp2pOptions } from '../../src/node/libp2p-options.js'
import { type WeshNode, createWeshNode } from '../../src/node/wesh-node.js'

const dirs: string[] = []
const nodes: WeshNode[] = []
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()))
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function startNode(): Promise<WeshNode> {
  const directory = await mkdtemp(join(tmpdir(), 'wesh-libp2p-options-'))
  dirs.push(directory)
  const node = await createWeshNode({
    directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
  })
  nodes.push(node)
  return node
}

describe('weshLibp2pOptions', () => {
  it('listens through a relay and runs AutoNAT on the internet', () => {
    const options = weshLibp2pOptions({ mdns: false })
    expect(options.addresses?.listen).toContain('/p2p-circuit')
    expect(options.services).toHaveProperty('autoNAT')
  })

  // A peer that does not know the `/ble` code failed to parse our whole identify message (RESILIENCE.md bug 4).
  it('announces IP and DNS addresses only, relayed ones included, never a direct link', () => {
    const text = {
      valueToBytes: (v: string) => new TextEncoder().encode(v),
      bytesToValue: (b: Uint8Array) => new TextDecoder().decode(b),
    }
    registry.addProtocol({ code: 0x30_0b1e, name: 'ble', size: V, ...text })
    const relay =
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV/p2p-circuit'
    const kept = ['/ip4/127.0.0.1/tcp/1', '/ip6/::1/tcp/2/ws', '/dns4/example.test/tcp/3', relay].map((a) =>
      multiaddr(a),
    )
    const announce = weshLibp2pOptions({ mdns: false }).addresses?.announceFilter
    expect(announce?.([...kept, multiaddr('/ble/phone-1')]).map(String)).toEqual(kept.map(String))
  })

  // Both start random walks of the DHT that find nothing on a LAN and wrote the peer store hundreds of times a second.
  it("neither asks for a relay reservation nor runs AutoNAT on a 'lan' network, unless told to listen through a relay", () => {
    const lan = weshLibp2pOptions({ mdns: false, dht: 'lan', listen: ['/ip4/127.0.0.1/tcp/0'] })
    expect(lan.addresses?.listen).toEqual(['/ip4/127.0.0.1/tcp/0'])
    expect(lan.services).not.toHaveProperty('autoNAT')
    const hidden = weshLibp2pOptions({ mdns: false, dht: 'lan', listen: ['/p2p-circuit'] })
    expect(hidden.addresses?.listen).toEqual(['/p2p-circuit'])
  })

  // RESILIENCE.md bug 6: the connection monitor's heartbeat and the DHT's check of a new contact both ping. With
  // one outbound ping stream allowed, the second to open failed, and when it was the heartbeat's, the monitor
  // aborted the connection with every stream on it (a replication request failed with "Too many outbound
  // protocol streams for protocol /ipfs/ping/1.0.0").
  it('lets two pings of one peer run at once', async () => {
    const [a, b] = await Promise.all([startNode(), startNode()])
    // Wait until A's DHT has checked B (its own ping of the new contact), so that only the two pings below run.
    const routingTable = (a.libp2p.services.dht as unknown as { routingTable: EventTarget }).routingTable
    const checked = new Promise((resolve) =>
      routingTable.addEventListener('peer:add', resolve, { once: true }),
    )
    await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
    await checked

    const pings = await Promise.allSettled([
      a.libp2p.services.ping.ping(b.libp2p.peerId),
      a.libp2p.services.ping.ping(b.libp2p.peerId),
    ])
    expect(pings.map((ping) => ping.status)).toEqual(['fulfilled', 'fulfilled'])
    expect(a.libp2p.getConnections(b.libp2p.peerId)).toHaveLength(1)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { SimulatedRadio, bleMultiaddr, type SimulatedRadioOptions } from '../../src/index.js'
import { createBleNode, type BleNode, type BleNodeOptions } from '../nodes.js'
import type { Connection, Stream } from '@libp2p/interface'

const SINK = '/wesh-test/sink/1.0.0'
const nodes: BleNode[] = []
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop()
})

/** Nodes whose sink protocol reads a whole stream and answers with its byte count and a checksum. */
async function startNodes(radioOptions: SimulatedRadioOptions, ids: string[], options: BleNodeOptions = {}) {
  const radio = new SimulatedRadio(radioOptions)
  const started = await Promise.all(ids.map((id) => createBleNode(radio, id, options)))
  for (const node of started) {
    nodes.push(node)
    await node.handle(SINK, async (stream: Stream) => {
      let bytes = 0
      let sum = 0
      for await (const chunk of stream) {
        const data = chunk.subarray()
        bytes += data.length
        for (const byte of data) sum = (sum + byte) % 65_521
      }
      stream.send(new TextEncoder().encode(`${bytes}:${sum}`))
      await stream.close()
    })
  }
  return { radio, nodes: started }
}

function connectedTo(node: BleNode, other: BleNode): Promise<Connection> {
  return new Promise((resolve) => {
    const existing = node.getConnections(other.peerId)[0]
    if (existing !== undefined) {
      resolve(existing)
      return
    }
    const onOpen = (event: CustomEvent<Connection>) => {
      if (!event.detail.remotePeer.equals(other.peerId)) return
      node.removeEventListener('connection:open', onOpen)
      resolve(event.detail)
    }
    node.addEventListener('connection:open', onOpen)
  })
}

function payload(size: number): { data: Uint8Array; expected: string } {
  const data = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff)
  let sum = 0
  for (const byte of data) sum = (sum + byte) % 65_521
  return { data, expected: `${size}:${sum}` }
}

/** Sends `size` bytes to `to` over a new stream and returns the sink's answer. */
async function sendThrough(
  from: BleNode,
  to: BleNode,
  size: number,
  onProgress?: (sent: number) => void,
): Promise<string> {
  const { data } = payload(size)
  const stream = await from.dialProtocol(to.peerId, SINK)
  const reply: Uint8Array[] = []
  const reading = (async () => {
    for await (const chunk of stream) reply.push(chunk.subarray())
  })()
  for (let offset = 0; offset < data.length; offset += 4096) {
    if (!stream.send(data.subarray(offset, offset + 4096)))
      await new Promise<void>((resolve, reject) => {
        stream.addEventListener('drain', () => resolve(), { once: true })
        stream.addEventListener('close', (event) => reject(event.error ?? new Error('closed')), {
          once: true,
        })
      })
    onProgress?.(offset)
  }
  await stream.close()
  await reading
  return new TextDecoder().decode(Uint8Array.from(reply.flatMap((part) => [...part])))
}

describe('faults', () => {
  it('carries identify, ping and 256 KiB intact over 5% loss and 2% duplication', async () => {
    const {
      nodes: [alice, bob],
    } = await startNodes(
      { seed: 31, latencyMs: 2, throughput: 1_000_000, lossRate: 0.05, duplicateRate: 0.02 },
      ['alice', 'bob'],
    )
    await connectedTo(alice!, bob!)
    await alice!.services.ping.ping(bob!.peerId)
    expect(await sendThrough(alice!, bob!, 256 * 1024)).toBe(payload(256 * 1024).expected)
    await expect.poll(async () => (await alice!.peerStore.get(bob!.peerId)).protocols).toContain(SINK)
  })

  it('works at the smallest MTU (23)', async () => {
    const {
      nodes: [alice, bob],
    } = await startNodes({ seed: 32, latencyMs: 2, throughput: 1_000_000, mtu: 23 }, ['alice', 'bob'])
    await connectedTo(alice!, bob!)
    await alice!.services.ping.ping(bob!.peerId)
    expect(await sendThrough(alice!, bob!, 64 * 1024)).toBe(payload(64 * 1024).expected)
  })

  it('fails the connection on both sides when the link drops mid-transfer, then reconnects', async () => {
    const {
      radio,
      nodes: [alice, bob],
    } = await startNodes({ seed: 33, latencyMs: 2, throughput: 200_000 }, ['alice', 'bob'])
    const first = await connectedTo(alice!, bob!)
    const bobSide = await connectedTo(bob!, alice!)
    const closed = Promise.all([
      new Promise<void>((resolve) => first.addEventListener('close', () => resolve(), { once: true })),
      new Promise<void>((resolve) => bobSide.addEventListener('close', () => resolve(), { once: true })),
    ])
    let dropped = false
    const transfer = sendThrough(alice!, bob!, 1024 * 1024, (sent) => {
      if (!dropped && sent >= 64 * 1024) {
        dropped = true
        radio.dropLinks()
      }
    })
    await expect(transfer).rejects.toThrow()
    await closed
    expect(first.status).not.toBe('open')
    expect(bobSide.status).not.toBe('open')
    // Both still in range: the next scan report redials, and the new connection works.
    const again = await new Promise<Connection>((resolve) => {
      const onOpen = (event: CustomEvent<Connection>) => {
        if (event.detail !== first) resolve(event.detail)
      }
      alice!.addEventListener('connection:open', onOpen)
    })
    expect(again.remotePeer.equals(bob!.peerId)).toBe(true)
    expect(await sendThrough(alice!, bob!, 32 * 1024)).toBe(payload(32 * 1024).expected)
  })

  it('copes with two peers dialing each other at the same moment', async () => {
    const {
      nodes: [alice, bob],
    } = await startNodes({ seed: 34, latencyMs: 3 }, ['alice', 'bob'], {
      discovery: false,
    })
    const [ab, ba] = await Promise.all([
      alice!.dial(bleMultiaddr('bob', bob!.peerId.toString())),
      bob!.dial(bleMultiaddr('alice', alice!.peerId.toString())),
    ])
    expect(ab.remotePeer.equals(bob!.peerId)).toBe(true)
    expect(ba.remotePeer.equals(alice!.peerId)).toBe(true)
    await Promise.all([alice!.services.ping.ping(bob!.peerId), bob!.services.ping.ping(alice!.peerId)])
    expect(await sendThrough(bob!, alice!, 16 * 1024)).toBe(payload(16 * 1024).expected)
  })
})

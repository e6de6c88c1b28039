import { gossipsub, type Message } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { SimulatedRadio } from '../../src/index.js'
import { bleNodeBase } from '../nodes.js'
import type { Connection } from '@libp2p/interface'

const TOPIC = 'wesh-ble-test'

async function gossipNode(radio: SimulatedRadio, deviceId: string) {
  return createLibp2p({
    ...bleNodeBase(radio, deviceId),
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, heartbeatInterval: 200 }),
    },
  })
}
type GossipNode = Awaited<ReturnType<typeof gossipNode>>

const nodes: GossipNode[] = []
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop()
})

function nextMessage(node: GossipNode, text: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (event: CustomEvent<Message>) => {
      if (event.detail.topic === TOPIC && new TextDecoder().decode(event.detail.data) === text) {
        node.services.pubsub.removeEventListener('message', onMessage)
        resolve()
      }
    }
    node.services.pubsub.addEventListener('message', onMessage)
  })
}

function connected(node: GossipNode, other: GossipNode): Promise<Connection> {
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

describe('three nodes with only the BLE transport', () => {
  it('discover each other, run gossipsub, and resume after a node walks out of range and back', async () => {
    const radio = new SimulatedRadio({ seed: 11, latencyMs: 3, throughput: 200_000 })
    const [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((id) => gossipNode(radio, id)),
    )
    nodes.push(alice!, bob!, carol!)
    const all = [alice!, bob!, carol!]
    for (const node of all) node.services.pubsub.subscribe(TOPIC)
    await Promise.all(
      all.flatMap((node) => all.filter((other) => other !== node).map((other) => connected(node, other))),
    )
    for (const node of all)
      await expect.poll(() => node.services.pubsub.getSubscribers(TOPIC).length, { timeout: 10_000 }).toBe(2)

    const first = Promise.all([nextMessage(bob!, 'hello'), nextMessage(carol!, 'hello')])
    await alice!.services.pubsub.publish(TOPIC, new TextEncoder().encode('hello'))
    await first

    // Carol walks away: her links drop, then she comes back and discovery reconnects her.
    const gone = new Promise<void>((resolve) => {
      carol!.addEventListener('peer:disconnect', () => {
        if (carol!.getConnections().length === 0) resolve()
      })
    })
    radio.moveDevice('carol', 'elsewhere')
    await gone
    expect(carol!.getConnections()).toHaveLength(0)
    radio.moveDevice('carol', 'default')
    await Promise.all([connected(carol!, alice!), connected(carol!, bob!)])
    await expect
      .poll(() => alice!.services.pubsub.getSubscribers(TOPIC).some((peer) => peer.equals(carol!.peerId)), {
        timeout: 10_000,
      })
      .toBe(true)
    const again = nextMessage(carol!, 'welcome back')
    await alice!.services.pubsub.publish(TOPIC, new TextEncoder().encode('welcome back'))
    await again
  })
})

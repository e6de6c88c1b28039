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

/** gossipsub's mesh: public on its class, not on the `GossipSub` interface. */
interface WithMesh {
  getMeshPeers(topic: string): string[]
}

/**
 * Resolves once `node` has every one of `peers` in its TOPIC mesh. Knowing a peer's subscription is not enough for
 * a publish to reach it: that needs our outbound stream to it, which mesh membership implies. The mesh changes when
 * a subscription arrives, on a GRAFT and at each heartbeat; it is checked after each of those events.
 */
function meshed(node: GossipNode, peers: GossipNode[]): Promise<void> {
  const pubsub = node.services.pubsub
  const events = ['subscription-change', 'gossipsub:graft', 'gossipsub:heartbeat'] as const
  return new Promise((resolve) => {
    const check = () => {
      const mesh = (pubsub as unknown as WithMesh).getMeshPeers(TOPIC)
      if (!peers.every((peer) => mesh.includes(peer.peerId.toString()))) return
      for (const event of events) pubsub.removeEventListener(event, check)
      resolve()
    }
    for (const event of events) pubsub.addEventListener(event, check)
    check()
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
    await meshed(alice!, [bob!, carol!])

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
    await meshed(alice!, [carol!])
    const again = nextMessage(carol!, 'welcome back')
    await alice!.services.pubsub.publish(TOPIC, new TextEncoder().encode('welcome back'))
    await again
  })
})

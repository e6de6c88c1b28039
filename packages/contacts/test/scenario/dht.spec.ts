import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { toHex } from '@wesh/crypto'
import { rendezvousDht } from '@wesh/rendezvous'
import { createLibp2p } from 'libp2p'
import type { ContactCard } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { TEST_DHT_PROTOCOL, cleanupAll, nextEvent, onCleanup, startDevice } from './helpers.js'

afterEach(cleanupAll)

/** A light DHT node (no Helia, no OrbitDB) on 127.0.0.1: the rest of the 20-node network. */
async function dhtFiller(): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: rendezvousDht({ lan: true, protocol: TEST_DHT_PROTOCOL, kBucketSize: 5 }),
    },
  })
  onCleanup(async () => {
    await node.stop()
  })
  return node
}

/** Resolves once the node's kad-dht routing table holds `min` peers (on its `peer:add` events). */
function routingTableReaches(node: Libp2p<{ dht: unknown }>, min: number): Promise<void> {
  const table = (node.services.dht as { routingTable: EventTarget & { size: number } }).routingTable
  return new Promise((resolve) => {
    const check = (): void => {
      if (table.size < min) return
      table.removeEventListener('peer:add', check)
      resolve()
    }
    table.addEventListener('peer:add', check)
    check()
  })
}

it('sends a request found through a DHT of 20 nodes', async () => {
  const fillers = await Promise.all(Array.from({ length: 18 }, () => dhtFiller()))
  const hubs = fillers.slice(0, 2)
  // One dial at a time: 32 simultaneous handshakes on a loaded machine outrun Noise's own timeout.
  for (const node of fillers.slice(2)) for (const hub of hubs) await node.dial(hub.getMultiaddrs()[0]!)
  const alice = await startDevice({ dht: true })
  const bob = await startDevice({ dht: true })
  // Alice and Bob each know one hub, a different one: they reach each other only through the DHT.
  await alice.node.libp2p.dial(hubs[0]!.getMultiaddrs()[0]!)
  await bob.node.libp2p.dial(hubs[1]!.getMultiaddrs()[0]!)
  await Promise.all([routingTableReaches(alice.node.libp2p, 2), routingTableReaches(bob.node.libp2p, 2)])
  const onAlice = await alice.startContacts()
  const onBob = await bob.startContacts()
  const registered = nextEvent(onBob, 'announce:register')
  await bob.account!.enableContactRequests()
  await registered

  const received = nextEvent<{ card: ContactCard }>(onBob, 'request:received')
  const sent = nextEvent(onAlice, 'request:sent')
  await onAlice.send(bob.account!.contactCard())
  expect(toHex((await received).card.accountId)).toBe(toHex(alice.account!.accountId))
  await sent
})

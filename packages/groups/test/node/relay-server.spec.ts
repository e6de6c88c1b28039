import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, expect, it } from 'vitest'
import { createWeshNode, type WeshNode } from '../../src/node/wesh-node.js'

const dirs: string[] = []
const nodes: WeshNode[] = []
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()))
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function node(network: Parameters<typeof createWeshNode>[0]['network']): Promise<WeshNode> {
  const directory = await mkdtemp(join(tmpdir(), 'wesh-relay-'))
  dirs.push(directory)
  const created = await createWeshNode({ directory, network: { mdns: false, dht: 'lan', ...network } })
  nodes.push(created)
  return created
}

it('relays full connections to a peer that listens nowhere but through it (relayServer)', async () => {
  const relay = await node({ listen: ['/ip4/127.0.0.1/tcp/0'], relayServer: true })
  expect(relay.libp2p.services.circuitRelay).toBeDefined()
  const relayAddress = relay.libp2p.getMultiaddrs()[0]!.toString()
  // On a 'lan' network a node listens through a relay only when asked to.
  const hidden = await node({ listen: ['/p2p-circuit'], bootstrap: [relayAddress] })
  // The reservation taken, the hidden peer's own addresses are relayed ones.
  const relayed = await new Promise<string>((resolve) => {
    const check = () => {
      const found = hidden.libp2p
        .getMultiaddrs()
        .find((address) => address.toString().includes('/p2p-circuit'))
      if (found === undefined) return
      hidden.libp2p.removeEventListener('self:peer:update', check)
      resolve(found.toString())
    }
    hidden.libp2p.addEventListener('self:peer:update', check)
    check()
  })
  expect(relayed).toContain(`/p2p/${relay.libp2p.peerId.toString()}/p2p-circuit`)

  const dialer = await node({ listen: ['/ip4/127.0.0.1/tcp/0'] })
  const connection = await dialer.libp2p.dial(multiaddr(relayed))
  expect(connection.remotePeer.equals(hidden.libp2p.peerId)).toBe(true)
  // Not a limited connection: every protocol runs on it, not only those that opt in.
  expect(connection.limits).toBeUndefined()
  expect(await dialer.libp2p.services.ping.ping(hidden.libp2p.peerId)).toBeGreaterThanOrEqual(0)
})

it('runs no relay unless asked', async () => {
  const plain = await node({ listen: ['/ip4/127.0.0.1/tcp/0'] })
  expect(plain.libp2p.services.circuitRelay).toBeUndefined()
  expect(plain.libp2p.getProtocols()).not.toContain('/libp2p/circuit/relay/0.2.0/hop')
})

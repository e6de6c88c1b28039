import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { randomBytes } from '@wesh/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { collectPeers, runDiscoveryCompliance } from '../src/compliance.js'
import { encodeMessage, MAX_REQUEST_BYTES, MessageType, RENDEZVOUS_PROTOCOL } from '../src/index.js'
import { rendezvousClient, type RendezvousClient } from '../src/rendezvous-client.js'
import { rendezvousServer, type RendezvousServer } from '../src/rendezvous-server.js'
import { loopbackNode } from './helpers/libp2p.js'

interface Network {
  server: Libp2p<{ rendezvous: RendezvousServer }>
  clients: Array<Libp2p<{ rendezvous: RendezvousClient }>>
}

async function network(): Promise<Network> {
  const server = await loopbackNode({ rendezvous: rendezvousServer() })
  const servers = server.getMultiaddrs()
  const clients = await Promise.all(
    [0, 1, 2].map(() => loopbackNode({ rendezvous: rendezvousClient({ servers }) })),
  )
  return { server, clients }
}

describe('rendezvous server and client over TCP', () => {
  runDiscoveryCompliance({
    name: 'RendezvousClient against RendezvousServer',
    setup: async () => {
      const net = await network()
      const [a, b, c] = net.clients.map((node) => ({
        discovery: node.services.rendezvous,
        peerId: node.peerId,
      }))
      return { registrar: a!, second: b!, searcher: c!, net }
    },
    teardown: async ({ net }) => {
      await Promise.all([net.server.stop(), ...net.clients.map((node) => node.stop())])
    },
  })
})

describe('rendezvous server under bad input', () => {
  let net: Network | undefined
  afterEach(async () => {
    if (net !== undefined) await Promise.all([net.server.stop(), ...net.clients.map((node) => node.stop())])
    net = undefined
  })

  it('closes streams that send garbage or oversized frames, and keeps serving everyone else', async () => {
    net = await network()
    const [alice, mallory, bob] = net.clients as [
      Libp2p<{ rendezvous: RendezvousClient }>,
      Libp2p<{ rendezvous: RendezvousClient }>,
      Libp2p<{ rendezvous: RendezvousClient }>,
    ]
    const point = randomBytes(32)
    await alice.services.rendezvous.register(point)
    const server = net.server.getMultiaddrs()[0]!
    for (const frame of [
      Uint8Array.of(0xff, 0xff, 0xff),
      new Uint8Array(MAX_REQUEST_BYTES + 1),
      encodeMessage({ type: MessageType.REGISTER_RESPONSE, registerResponse: {} }),
    ]) {
      const stream = await mallory.dialProtocol(server, RENDEZVOUS_PROTOCOL)
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES * 2 })
      await lp.write(frame).catch(() => undefined)
      await expect(lp.read()).rejects.toBeDefined()
    }
    expect(net.server.services.rendezvous.stats.streamErrors).toBeGreaterThanOrEqual(3)
    const found = await collectPeers(bob.services.rendezvous.lookup(point))
    expect(found.map((p) => p.id.toString())).toEqual([alice.peerId.toString()])
  })

  it('reports a rejected registration as RENDEZVOUS_REJECTED with the status', async () => {
    net = await network()
    const client = net.clients[0]!.services.rendezvous
    await expect(client.register(randomBytes(32), { ttl: 60 })).rejects.toMatchObject({
      code: 'RENDEZVOUS_REJECTED',
      data: { status: 'E_INVALID_TTL' },
    })
  })
})

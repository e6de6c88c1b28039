import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { rendezvousServer } from '@wesh/rendezvous'
import { createLibp2p } from 'libp2p'
import { afterEach, expect, it } from 'vitest'
import { cleanupDevices, openContactGroup, startDevice, untilRead } from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)

it('members of a group find each other on its log points through a rendezvous server, with no address shared', async () => {
  const server = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), rendezvous: rendezvousServer() },
  })
  try {
    const servers = [server.getMultiaddrs()[0]!.toString()]
    const alice = await startDevice(undefined, undefined, undefined, { rendezvousServers: servers })
    const bob = await startDevice(undefined, undefined, undefined, { rendezvousServers: servers })
    const aliceSession = await openContactGroup(alice, bob)
    await aliceSession.send(text('found you'))
    // Alice registered on both log points when she opened the group; Bob's first look-up finds her there.
    const bobSession = await openContactGroup(bob, alice)
    await untilRead(bobSession, ['found you'])
    expect(bob.node.libp2p.getConnections(alice.node.libp2p.peerId).length).toBeGreaterThan(0)
    await bobSession.send(text('and I read you'))
    await untilRead(aliceSession, ['and I read you'])
  } finally {
    await cleanupDevices()
    await server.stop()
  }
})

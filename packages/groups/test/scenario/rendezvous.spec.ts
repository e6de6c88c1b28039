import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { rendezvousServer } from '@wesh/rendezvous'
import { createLibp2p } from 'libp2p'
import { afterEach, expect, it } from 'vitest'
import { cleanupDevices, connect, openContactGroup, startDevice, untilRead } from './helpers.js'

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

it('every member dials the replication servers recorded in the group (event 403)', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const replica = await startDevice() // any reachable node stands in for the server here
  const replicaId = replica.node.libp2p.peerId.toString()
  const bobMeetsReplica = new Promise<void>((resolve) => {
    bob.node.libp2p.addEventListener('peer:connect', (event) => {
      if (event.detail.toString() === replicaId) resolve()
    })
  })
  const aliceSession = await openContactGroup(alice, bob)
  const bobSession = await openContactGroup(bob, alice)
  await connect(alice, bob)
  await aliceSession.recordReplica(replica.node.libp2p.getMultiaddrs()[0]!.toString())
  await bobSession.waitFor((session) => session.state.replicas.size === 1)
  await bobMeetsReplica
  expect(bob.node.libp2p.getConnections(replica.node.libp2p.peerId).length).toBeGreaterThan(0)
})

it('a member dials a recorded replication server again each time the connection drops', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const replica = await startDevice() // any reachable node stands in for the server here
  const replicaId = replica.node.libp2p.peerId
  const untilAliceMeetsReplica = () =>
    new Promise<void>((resolve) => {
      const onConnect = (event: CustomEvent<{ equals(other: unknown): boolean }>) => {
        if (!event.detail.equals(replicaId)) return
        alice.node.libp2p.removeEventListener('peer:connect', onConnect)
        resolve()
      }
      alice.node.libp2p.addEventListener('peer:connect', onConnect)
    })
  const aliceSession = await openContactGroup(alice, bob)
  const met = untilAliceMeetsReplica()
  await aliceSession.recordReplica(replica.node.libp2p.getMultiaddrs()[0]!.toString())
  await met
  // The connection drops (a link changing, libp2p's connection monitor cutting it): the member comes back, each time.
  for (let drop = 0; drop < 2; drop++) {
    const back = untilAliceMeetsReplica()
    await alice.node.libp2p.hangUp(replicaId)
    await back
  }
  expect(alice.node.libp2p.getConnections(replicaId).length).toBeGreaterThan(0)
})

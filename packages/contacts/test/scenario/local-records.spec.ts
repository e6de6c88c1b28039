import { multiaddr } from '@multiformats/multiaddr'
import { toHex } from '@wesh/crypto'
import type { ContactCard } from '@wesh/groups'
import { SimulatedRadio } from '@wesh/transport-ble'
import { afterEach, expect, it } from 'vitest'
import { cleanupAll, nextEvent, startDevice } from './helpers.js'

afterEach(cleanupAll)

it('sends a request found through a local record over the simulated BLE transport, with no internet path', async () => {
  const radio = new SimulatedRadio({ seed: 7, latencyMs: 2 })
  // Local records are the only discovery system of either device; they are not connected over TCP.
  const alice = await startDevice({ ble: { radio, id: 'alice' } })
  const bob = await startDevice({ ble: { radio, id: 'bob' } })
  expect(alice.discovery.map((system) => system.name)).toEqual(['local'])
  await alice.node.libp2p.dial(multiaddr(`/ble/bob/p2p/${bob.node.libp2p.peerId.toString()}`))

  const onAlice = await alice.startContacts()
  const onBob = await bob.startContacts()
  const registered = nextEvent(onBob, 'announce:register')
  await bob.account!.enableContactRequests()
  await registered // pushed to the directly linked peers

  const received = nextEvent<{ card: ContactCard }>(onBob, 'request:received')
  const sent = nextEvent(onAlice, 'request:sent')
  await onAlice.send(bob.account!.contactCard())
  expect(toHex((await received).card.accountId)).toBe(toHex(alice.account!.accountId))
  await sent
  const connections = alice.node.libp2p.getConnections(bob.node.libp2p.peerId)
  expect(connections.every((connection) => connection.remoteAddr.toString().startsWith('/ble/'))).toBe(true)
})

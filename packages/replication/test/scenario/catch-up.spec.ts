import { AccountKeys } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { replicateGroup } from '../../src/node/index.js'
import {
  cleanupAll,
  openContactGroup,
  startDevice,
  startReplica,
  text,
  texts,
  tokenOf,
  tokensFor,
  untilCount,
} from '../helpers.js'

afterEach(cleanupAll)

it('a member catches up on 500 messages from the replica alone, after the writer left and the replica restarted', async () => {
  const tokens = tokensFor([{ name: 'alice' }])
  let replica = await startReplica({ tokens })
  const directory = replica.node.directory.replace(/\/node$/, '')
  const alice = await startDevice()
  const bobAccount = AccountKeys.create()
  const sessionA = await openContactGroup(alice, bobAccount)
  const address = replica.node.libp2p.getMultiaddrs()[0]!

  const written: string[] = []
  for (let i = 0; i < 500; i++) {
    written.push(`message ${i}`)
    await sessionA.send(text(`message ${i}`))
  }
  // Then Alice asks the replica over /wesh/replication/1.0.0 and records event 403 in the group.
  await replicateGroup({
    session: sessionA,
    libp2p: alice.node.libp2p,
    replica: address,
    token: tokenOf('alice'),
  })
  expect([...sessionA.state.replicas.keys()]).toEqual([address.toString()])
  const groupId = sessionA.group.publicKey
  // The replica catches up on all of it at once. Alice's metadata: her device, her chain key to Bob and to herself, the replica (event 403).
  const held = await replica.waitFor(groupId, (s) => s.messages.entries === 500 && s.metadata.entries >= 4)
  expect(held.rejectedEntries).toBe(0)
  await alice.stop() // Alice and Bob are never online together

  await replica.stop()
  replica = await startReplica({ tokens, directory })
  expect(replica.status(groupId).messages.entries).toBe(500) // restored from disk, before any peer connects

  const bob = await startDevice(bobAccount)
  await bob.node.libp2p.dial(replica.node.libp2p.getMultiaddrs()[0]!)
  const sessionB = await openContactGroup(bob, alice.account)
  const read = await untilCount(sessionB, 500)
  expect(new Set(texts(read))).toEqual(new Set(written))
  // Bob learned the replica from the group itself.
  expect([...sessionB.state.replicas.keys()]).toEqual([address.toString()])
})

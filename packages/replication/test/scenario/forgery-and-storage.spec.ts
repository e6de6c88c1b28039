import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, signEntry } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { replicationGroupOf } from '../../src/index.js'
import {
  cleanupAll,
  connect,
  openContactGroup,
  scanStorage,
  startDevice,
  storedForms,
  startReplica,
  text,
  untilCount,
} from '../helpers.js'

afterEach(cleanupAll)

it('rejects and counts entries not signed by the group, and keeps serving the group', async () => {
  const replica = await startReplica()
  const alice = await startDevice()
  const bob = await startDevice()
  const sessionA = await openContactGroup(alice, bob.account)
  const group = sessionA.group
  await replica.add(replicationGroupOf(group))
  await connect(alice.node, replica.node)
  await sessionA.send(text('genuine'))
  await replica.waitFor(group.publicKey, (s) => s.messages.entries === 1)

  // Mallory knows everything a replica knows (group ID, sign_pub, link key) but not the secret. She opens the
  // log with an access controller that lets her write, and signs with a key of her own.
  const mallory = await startDevice()
  const forgedLog = await mallory.node.openLog({
    groupId: group.publicKey,
    signPublicKey: group.signPublicKey,
    linkKey: group.linkKey,
    name: `${toHex(group.publicKey)}_wesh_group_messages`,
    identityId: 'mallory',
  })
  ;(forgedLog.access as unknown as { canAppend: () => Promise<boolean> }).canAppend = () =>
    Promise.resolve(true)
  await forgedLog.add(signEntry(randomBytes(32), randomBytes(100)))
  await connect(mallory.node, replica.node)
  const afterForgery = await replica.waitFor(group.publicKey, (s) => s.rejectedEntries >= 1)
  expect(afterForgery.messages.entries).toBe(1)
  expect(replica.stats.rejectedEntries).toBeGreaterThanOrEqual(1)

  // The group goes on: a new message from a member still arrives, and a member reading from the replica
  // gets only genuine messages.
  await sessionA.send(text('still genuine'))
  await replica.waitFor(group.publicKey, (s) => s.messages.entries === 2)
  await alice.stop()
  await connect(bob.node, replica.node)
  const sessionB = await openContactGroup(bob, alice.account)
  const read = await untilCount(sessionB, 2)
  expect(read.map((m) => new TextDecoder().decode(m.plaintext)).sort()).toEqual(['genuine', 'still genuine'])
})

it('stores no plaintext and no secret: a scan of the replica storage finds only what it may hold', async () => {
  const replica = await startReplica()
  const directory = join(replica.node.directory, '..')
  const alice = await startDevice()
  const sessionA = await openContactGroup(alice, AccountKeys.create())
  const group = sessionA.group
  await replica.add(replicationGroupOf(group))
  await connect(alice.node, replica.node)
  // Random, so compression cannot hide them; 20 copies, so a leak would be there to find.
  const plaintext = `plaintext-${toHex(randomBytes(24))}`
  for (let i = 0; i < 20; i++) await sessionA.send(text(`${plaintext}-${i}`))
  await replica.waitFor(group.publicKey, (s) => s.messages.entries === 20)
  await replica.stop()
  expect((await stat(directory)).isDirectory()).toBe(true)

  const { found } = await scanStorage(directory)
  // The scanner works: what a replica holds is found (the group ID in log names, the link key in its list).
  expect(found(toHex(group.publicKey))).toBe(true)
  expect(found(toHex(group.linkKey))).toBe(true)
  // What it must never hold is not.
  expect(found(plaintext)).toBe(false)
  for (const secret of [group.secret, group.attachmentKey]) {
    for (const form of storedForms(secret)) expect(found(form)).toBe(false)
  }
})

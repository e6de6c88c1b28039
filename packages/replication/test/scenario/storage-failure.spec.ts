import { readdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { toHex } from '@wesh/crypto'
import { AccountKeys } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { replicationGroupOf, replicationGroupToJson } from '../../src/index.js'
import {
  cleanupAll,
  codeOf,
  connect,
  newGroup,
  openContactGroup,
  serveHttp,
  startDevice,
  startReplica,
  text,
  texts,
  tokenOf,
  tokensFor,
  untilCount,
} from '../helpers.js'

afterEach(cleanupAll)

/** Replaces each directory by a file (a real I/O error for whoever opens a store in it); returns the repair. */
async function breakDirectories(directories: string[]): Promise<() => Promise<void>> {
  for (const directory of directories) {
    await rename(directory, `${directory}.aside`)
    await writeFile(directory, 'not a directory')
  }
  return async () => {
    for (const directory of directories) {
      await rm(directory)
      await rename(`${directory}.aside`, directory)
    }
  }
}

/** The error `promise` rejects with (it must reject). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  )
}

it('refuses a group it cannot store with STORAGE_FAILED, keeps nothing of it, counts it, and serves the groups it holds', async () => {
  const tokens = tokensFor([{ name: 'alice' }])
  const replica = await startReplica({ tokens })
  const directory = join(replica.node.directory, '..')
  const { call } = await serveHttp(replica)
  const alice = await startDevice()
  const bobAccount = AccountKeys.create()
  const sessionA = await openContactGroup(alice, bobAccount)
  const held = sessionA.group
  await replica.add(replicationGroupOf(held), { owner: 'alice' })
  await connect(alice.node, replica.node)
  const written = Array.from({ length: 20 }, (_, i) => `message ${i}`)
  for (const message of written) await sessionA.send(text(message))
  await replica.waitFor(held.publicKey, (s) => s.messages.entries === written.length)
  await alice.stop() // Bob will only ever meet the replica

  // The disk fails under the running replica: the directory in which it creates each new log's LevelDB stores
  // is now a file, so opening a new log fails with a real I/O error (ENOTDIR). The stores already open keep
  // their open files, as they would on a full disk.
  const repair = await breakDirectories([join(replica.node.directory, 'logs')])

  const refused = newGroup()
  const error = await failureOf(replica.add(refused, { owner: 'alice' }))
  expect(error).toMatchObject({ code: 'STORAGE_FAILED', data: { reason: 'ENOTDIR' } })
  expect(replica.stats.storageErrors).toBe(1)
  expect(await call('POST', '/v1/groups', tokenOf('alice'), replicationGroupToJson(refused))).toEqual({
    status: 507,
    json: { error: { code: 'STORAGE_FAILED', message: expect.any(String) as string } },
  })
  expect(replica.stats.storageErrors).toBe(2)

  // Nothing half-done: the replica lists, counts and answers exactly as before the two failures.
  const heldId = toHex(held.publicKey)
  expect(replica.list().map((s) => toHex(s.groupId))).toEqual([heldId])
  expect(replica.usage('alice').groups).toBe(1)
  expect(await codeOf(Promise.resolve().then(() => replica.status(refused.publicKey)))).toBe('UNKNOWN_GROUP')
  const listed = await call('GET', '/v1/groups', tokenOf('alice'))
  expect((listed.json?.groups as { groupId: string }[]).map((g) => g.groupId)).toEqual([heldId])
  expect((await call('GET', `/v1/groups/${toHex(refused.publicKey)}`, tokenOf('alice'))).status).toBe(404)

  // And it keeps serving the group it holds: Bob, never online with Alice, reads everything from it.
  const bob = await startDevice(bobAccount)
  await connect(bob.node, replica.node)
  const sessionB = await openContactGroup(bob, alice.account)
  expect(new Set(texts(await untilCount(sessionB, written.length)))).toEqual(new Set(written))

  // Its list on disk holds no trace of the refused group either: restarted on repaired storage, it reopens the
  // group it held alone, and takes the refused one at once.
  await repair()
  await replica.stop()
  const restarted = await startReplica({ tokens, directory })
  expect(restarted.list().map((s) => toHex(s.groupId))).toEqual([heldId])
  expect(restarted.status(held.publicKey).messages.entries).toBe(written.length)
  await restarted.add(refused, { owner: 'alice' })
  expect(restarted.usage('alice').groups).toBe(2)
  expect(restarted.stats.storageErrors).toBe(0)
})

it('starts and serves its other groups when the storage of one fails, and reopens that one with its owners once repaired', async () => {
  const tokens = tokensFor([{ name: 'alice' }, { name: 'carol' }])
  const replica = await startReplica({ tokens })
  const directory = join(replica.node.directory, '..')
  const logs = join(replica.node.directory, 'logs')
  const alice = await startDevice()
  const bobAccount = AccountKeys.create()
  const sessionA = await openContactGroup(alice, bobAccount)
  const held = sessionA.group
  await replica.add(replicationGroupOf(held), { owner: 'alice' })
  await connect(alice.node, replica.node)
  const written = Array.from({ length: 5 }, (_, i) => `message ${i}`)
  for (const message of written) await sessionA.send(text(message))
  await replica.waitFor(held.publicKey, (s) => s.messages.entries === written.length)
  await alice.stop()

  // A second group, for two tokens; the stores created for it are its two logs' directories.
  const before = new Set(await readdir(logs))
  const failing = newGroup()
  await replica.add(failing, { owner: 'alice' })
  await replica.add(failing, { owner: 'carol' })
  const itsStores = (await readdir(logs)).filter((name) => !before.has(name))
  expect(itsStores).toHaveLength(2)
  await replica.stop()

  // Its storage fails while the replica is down: the replica starts all the same, and says what it left.
  const repair = await breakDirectories(itsStores.map((name) => join(logs, name)))
  const restarted = await startReplica({ tokens, directory })
  expect(restarted.unopenedGroups).toEqual([
    {
      groupId: failing.publicKey,
      error: expect.objectContaining({ code: 'STORAGE_FAILED', data: { reason: 'ENOTDIR' } }) as unknown,
    },
  ])
  expect(restarted.stats.storageErrors).toBe(1)
  expect(restarted.list().map((s) => toHex(s.groupId))).toEqual([toHex(held.publicKey)])
  expect(await codeOf(Promise.resolve().then(() => restarted.status(failing.publicKey)))).toBe(
    'UNKNOWN_GROUP',
  )

  // The group it could open is served: Bob, never online with Alice, reads it all from the replica.
  const bob = await startDevice(bobAccount)
  await connect(bob.node, restarted.node)
  const sessionB = await openContactGroup(bob, alice.account)
  expect(new Set(texts(await untilCount(sessionB, written.length)))).toEqual(new Set(written))

  // Repaired, the group is back as soon as one owner adds it again, for both owners.
  await repair()
  await restarted.add(failing, { owner: 'alice' })
  expect(restarted.unopenedGroups).toEqual([])
  expect(restarted.status(failing.publicKey, { owner: 'carol' }).groupId).toEqual(failing.publicKey)
  expect(restarted.usage('carol').groups).toBe(1)
})

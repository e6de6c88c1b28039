import { join } from 'node:path'
import { DeviceLinking, linkDevice, parseLinkCode } from '@wesh/contacts'
import { randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, type Group } from '@wesh/groups'
import type { WeshAccount } from '@wesh/groups/node'
import { afterEach, expect, it } from 'vitest'
import { REPLICATION_DEVICE_AUTHENTICATION, replicationDeviceToken } from '../../src/index.js'
import {
  ReplicationDeviceSync,
  linkReplicationDevice,
  offerReplicationDeviceLink,
} from '../../src/node/index.js'
import {
  adoptAccount,
  cleanupAll,
  openAccount,
  scanStorage,
  startDevice,
  startReplica,
  storedForms,
  text,
  texts,
  untilCount,
  type Device,
} from '../helpers.js'

afterEach(cleanupAll)

/** Keeps `account`'s groups on its replication devices until `device` stops. */
function startSync(device: Device, account: WeshAccount): ReplicationDeviceSync {
  const sync = ReplicationDeviceSync.start({ account })
  device.beforeStop.push(() => sync.stop())
  return sync
}

// High-availability configuration 2 (the seed's "replication device"): a replication node linked to an account
// with no access. The account group lists it (event 403); the account's devices, which alone can read that
// group, hand it the public part of every group the account is in.
it('a replication device picks up a group created after linking, on another device, and serves it with the others offline', async () => {
  const keys = AccountKeys.create()
  // Copies of every secret the replication device must never hold (closing an account erases its keys).
  const secrets: Uint8Array[] = [keys.accountSeed(), keys.aliasSeed()]
  const keep = (group: Group) =>
    secrets.push(new Uint8Array(group.secret), new Uint8Array(group.attachmentKey))
  const laptop = await startDevice(keys)
  const onLaptop = await openAccount(laptop, keys)
  keep(onLaptop.accountGroup.group)
  const before = await onLaptop.createGroup({ name: 'before' })
  keep(before.group)

  // A phone joins the account through @wesh/contacts' device linking: a normal device, with the keys.
  const linking = await DeviceLinking.start({ account: onLaptop })
  laptop.beforeStop.push(() => linking.stop())
  const phone = await startDevice(keys)
  const onPhone = adoptAccount(
    phone,
    await linkDevice({ node: phone.node, secrets: phone.secrets, code: linking.createLinkCode().text }),
  )
  secrets.push(onLaptop.keys.deviceSeed(), onPhone.keys.deviceSeed())

  // The replication device takes a code from the laptop and receives the account group's public part only.
  const replica = await startReplica()
  const offer = await offerReplicationDeviceLink({ account: onLaptop })
  secrets.push(new Uint8Array(offer.code.secret))
  const token = replicationDeviceToken(
    onLaptop.accountGroup.group.secret,
    replica.node.libp2p.peerId.toMultihash().bytes,
  )
  const linkedAccount = await linkReplicationDevice({ replica, code: offer.text })
  const { server, peer } = await offer.linked
  expect(toHex(linkedAccount.accountId)).toBe(toHex(keys.accountId))
  expect(peer.equals(replica.node.libp2p.peerId)).toBe(true)
  expect(onLaptop.accountGroup.state.replicas.get(server)?.authenticationUrl).toBe(
    REPLICATION_DEVICE_AUTHENTICATION,
  )
  expect(replica.list().map((status) => toHex(status.groupId))).toEqual([toHex(keys.accountId)])

  // Every device of the account runs the sync. A group that existed before the link is handed over too.
  startSync(laptop, onLaptop)
  startSync(phone, onPhone)
  await replica.waitFor(before.group.publicKey, (status) => status.metadata.entries > 0)
  await before.waitFor((session) => session.state.replicas.has(server))

  // The phone learns the replication device from the account group, then the laptop goes offline.
  await onPhone.waitFor(() => onPhone.accountGroup.state.replicas.has(server))
  await laptop.stop()

  // On the phone alone, after linking: a new group. The phone hands it over and records it in the group.
  const after = await onPhone.createGroup({ name: 'after' })
  keep(after.group)
  const plaintext = `after-${toHex(randomBytes(16))}`
  await after.send(text(plaintext))
  await replica.waitFor(after.group.publicKey, (status) => status.messages.entries === 1)
  await after.waitFor((session) => session.state.replicas.get(server)?.server === server)
  expect(replica.status(after.group.publicKey, { owner: linkedAccount.owner }).rejectedEntries).toBe(0)
  await phone.stop()

  // The laptop comes back while the phone is offline: from the replication device alone it learns the new
  // group (account group) and reads the phone's message in it.
  const back = await startDevice(keys, laptop)
  const onBack = await openAccount(back, keys)
  await onBack.waitFor((state) => state.groups.has(toHex(after.group.publicKey)))
  const afterOnLaptop = await onBack.group(after.group.publicKey)
  expect(texts(await untilCount(afterOnLaptop, 1))).toEqual([plaintext])
  await back.stop()

  // What the replication device stored: the groups' public parts and sealed entries — no secret of any group,
  // no key of the account or its devices, not the token (only its hash), no plaintext.
  await replica.stop()
  const { found } = await scanStorage(join(replica.node.directory, '..'))
  expect(found(toHex(after.group.publicKey))).toBe(true) // the scanner sees what a replica may hold
  expect(found(toHex(after.group.linkKey))).toBe(true)
  expect(secrets).toHaveLength(11)
  for (const secret of secrets) for (const form of storedForms(secret)) expect(found(form)).toBe(false)
  expect(found(token)).toBe(false)
  expect(found(plaintext)).toBe(false)
})

it('refuses a device-link code and a used or forged replication-device code, giving out nothing', async () => {
  const keys = AccountKeys.create()
  const laptop = await startDevice(keys)
  const onLaptop = await openAccount(laptop, keys)
  const linking = await DeviceLinking.start({ account: onLaptop })
  laptop.beforeStop.push(() => linking.stop())
  const replica = await startReplica()

  // A code for a device (it would carry the account keys) is refused by the replication device's protocol.
  const deviceCode = linking.createLinkCode().text
  await expect(linkReplicationDevice({ replica, code: deviceCode })).rejects.toMatchObject({
    code: 'LINK_REFUSED',
  })
  expect(linking.openCodes).toBe(1)

  const offer = await offerReplicationDeviceLink({ account: onLaptop })
  await expect(offerReplicationDeviceLink({ account: onLaptop })).rejects.toMatchObject({
    code: 'LINK_IN_PROGRESS',
  })
  const forged = { ...parseLinkCode(offer.text), secret: randomBytes(32) }
  await expect(linkReplicationDevice({ replica, code: forged })).rejects.toMatchObject({
    code: 'LINK_REFUSED',
  })
  await linkReplicationDevice({ replica, code: offer.text })
  await offer.linked
  await expect(linkReplicationDevice({ replica, code: offer.text })).rejects.toMatchObject({
    code: 'LINK_REFUSED',
  })
  expect(replica.linkedAccounts().map((account) => toHex(account.accountId))).toEqual([toHex(keys.accountId)])
  expect(onLaptop.accountGroup.state.replicas.size).toBe(1)

  // A cancelled offer rejects its promise and refuses its code.
  const cancelled = await offerReplicationDeviceLink({ account: onLaptop })
  await cancelled.cancel()
  await expect(cancelled.linked).rejects.toMatchObject({ code: 'ABORTED' })
  await expect(linkReplicationDevice({ replica, code: cancelled.text })).rejects.toMatchObject({
    code: 'LINK_REFUSED',
  })
})

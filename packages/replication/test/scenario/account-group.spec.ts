import { AccountKeys, ContactStatus } from '@wesh/groups'
import { toHex } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import { replicateGroup } from '../../src/node/index.js'
import { cleanupAll, openAccount, startDevice, startReplica, text, tokenOf, tokensFor } from '../helpers.js'

afterEach(cleanupAll)

it('a contact added on one device reaches the other device through a replica of the account group, the first offline', async () => {
  const tokens = tokensFor([{ name: 'alice' }])
  const replica = await startReplica({ tokens })
  const keys = AccountKeys.create()
  const laptop = await startDevice(keys)
  const onLaptop = await openAccount(laptop, keys)
  await replicateGroup({
    session: onLaptop.accountGroup,
    libp2p: laptop.node.libp2p,
    replica: replica.node.libp2p.getMultiaddrs()[0]!,
    token: tokenOf('alice'),
  })
  // The account keys move to a phone (device linking, §6.3); the phone syncs once, then goes offline.
  const phoneKeys = AccountKeys.fromState(keys.exportState({ device: false }))
  let phone = await startDevice(phoneKeys)
  let onPhone = await openAccount(phone, phoneKeys)
  await phone.node.libp2p.dial(laptop.node.libp2p.getMultiaddrs()[0]!)
  await onPhone.waitFor(() => onPhone.accountGroup.state.replicas.size === 1)
  await phone.stop()

  // On the laptop, alone: a contact request goes out to Bob. Then the laptop goes offline too.
  const bob = AccountKeys.create()
  await onLaptop.requestContact({
    accountId: bob.accountId,
    publicRendezvousSeed: bob.publicRendezvousSeed(),
    metadata: text('Bob'),
  })
  const accountId = onLaptop.accountGroup.group.publicKey
  await replica.waitFor(
    accountId,
    (status) => status.metadata.entries >= onLaptop.accountGroup.state.members.size + 4,
  )
  await laptop.stop()

  // The phone comes back, reaches only the replica (recorded in the account group), and learns the contact.
  phone = await startDevice(phoneKeys, phone)
  onPhone = await openAccount(phone, phoneKeys)
  await onPhone.waitFor(
    (state) => state.contacts.get(toHex(bob.accountId))?.status === ContactStatus.OUTGOING_ENQUEUED,
  )
  expect(onPhone.contacts().map((c) => new TextDecoder().decode(c.metadata))).toEqual(['Bob'])
})

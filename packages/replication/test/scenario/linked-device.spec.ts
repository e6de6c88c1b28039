import { DeviceLinking, linkDevice } from '@wesh/contacts'
import { toHex } from '@wesh/crypto'
import { AccountKeys, ContactStatus } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import {
  adoptAccount,
  cleanupAll,
  openAccount,
  openContactGroup,
  startDevice,
  text,
  texts,
  untilCount,
} from '../helpers.js'

afterEach(cleanupAll)

const MESSAGES = 100

// High-availability configuration 3 (the seed's "linked device"): a normal device of the account, linked with
// @wesh/contacts' device linking. It holds the account's keys, joins every group and keeps both logs of each, so
// it serves them to the other members as any replica would — and it can read and write too.
it('a linked device serves as a replica: Bob catches up from it alone after the writing device left', async () => {
  const alice = AccountKeys.create()
  const bob = AccountKeys.create()
  const laptop = await startDevice(alice)
  const onLaptop = await openAccount(laptop, alice)
  const linking = await DeviceLinking.start({ account: onLaptop })
  laptop.beforeStop.push(() => linking.stop())
  const phone = await startDevice(alice)
  const onPhone = adoptAccount(
    phone,
    await linkDevice({ node: phone.node, secrets: phone.secrets, code: linking.createLinkCode().text }),
  )

  // Alice asks Bob to be a contact on the laptop (event 106): the contact group opens on both of her devices.
  const chat = await onLaptop.requestContact({
    accountId: bob.accountId,
    publicRendezvousSeed: bob.publicRendezvousSeed(),
    metadata: text('Bob'),
  })
  await onPhone.waitFor(
    (state) => state.contacts.get(toHex(bob.accountId))?.status === ContactStatus.OUTGOING_ENQUEUED,
  )
  const chatOnPhone = await onPhone.group(bob.accountId)
  expect(toHex(chatOnPhone.group.publicKey)).toBe(toHex(chat.group.publicKey))

  // The laptop writes; the phone keeps every entry; then the laptop goes offline.
  const written: string[] = []
  for (let i = 0; i < MESSAGES; i++) {
    written.push(`from the laptop ${i}`)
    await chat.send(text(`from the laptop ${i}`))
  }
  await untilCount(chatOnPhone, MESSAGES)
  await laptop.stop()

  // Bob, never online with the laptop, reaches only the phone and reads everything the laptop wrote.
  const bobDevice = await startDevice(bob)
  await bobDevice.node.libp2p.dial(phone.node.libp2p.getMultiaddrs()[0]!)
  const chatOnBob = await openContactGroup(bobDevice, alice)
  expect(new Set(texts(await untilCount(chatOnBob, MESSAGES)))).toEqual(new Set(written))
  // Only the phone (two peers dialling each other at once may keep two connections: count peers, not connections).
  expect(new Set(bobDevice.node.libp2p.getConnections().map((c) => c.remotePeer.toString()))).toEqual(
    new Set([phone.node.libp2p.peerId.toString()]),
  )
})

import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import { AccountKeys, ContactStatus, GroupsErrorCode, invitationLink } from '../../src/index.js'
import { WeshAccount } from '../../src/node/index.js'
import { cleanupDevices, connect, openAccount, startDevice, untilRead } from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)
const texts = (messages: { plaintext: Uint8Array }[]) =>
  messages.map((m) => new TextDecoder().decode(m.plaintext))
const code = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (isWeshError(error) ? error.code : String(error)),
  )

it('a second device of the account learns its groups from the account group and joins them', async () => {
  const keys = AccountKeys.create()
  const laptop = await startDevice(keys)
  // What moves to a new device (PROTOCOL.md §6.3): the account part of the keys, with a device key of its own.
  const phone = await startDevice(AccountKeys.fromState(keys.exportState({ device: false })))
  const onLaptop = await openAccount(laptop)
  const onPhone = await openAccount(phone)
  expect(onPhone.keys.devicePublicKey).not.toEqual(onLaptop.keys.devicePublicKey)
  await connect(laptop, phone)

  const created = await onLaptop.createGroup({ name: 'family' })
  const id = created.group.publicKey
  await onPhone.waitFor((state) => state.groups.has(toHex(id)))
  const phoneSession = await onPhone.group(id)
  await phoneSession.waitFor((session) => session.state.name === 'family')
  await created.send(text('from the laptop'))
  await phoneSession.send(text('from the phone'))
  // One member (the account's alias-derived member key), two devices.
  await created.waitFor((session) => [...session.state.members.values()].some((m) => m.devices.length === 2))
  expect(created.state.members.size).toBe(1)
  expect(texts(await untilRead(created, ['from the laptop', 'from the phone']))).toHaveLength(2)
  expect(texts(await untilRead(phoneSession, ['from the laptop', 'from the phone']))).toHaveLength(2)
})

it('joins by invitation link, lists the group, and keeps it across a restart', async () => {
  const storeKey = randomBytes(32)
  const alice = await startDevice()
  let bob = await startDevice(undefined, undefined, storeKey)
  const onAlice = await openAccount(alice)
  let onBob = await openAccount(bob)
  await connect(alice, bob)
  const session = await onAlice.createGroup({ name: 'club' })
  const joined = await onBob.joinGroup(invitationLink(session.group))
  await joined.send(text('hello club'))
  await untilRead(session, ['hello club'])
  expect(onBob.groups().map((g) => toHex(g.publicKey))).toEqual([toHex(session.group.publicKey)])
  expect(await code(onBob.joinGroup('wesh://group/AAAA'))).toBe(GroupsErrorCode.INVALID_INVITATION)

  const { account, directory } = bob
  await bob.stop()
  bob = await startDevice(account, directory, new Uint8Array(storeKey))
  onBob = await openAccount(bob)
  expect(onBob.groups()).toHaveLength(1) // from disk, before any peer is reachable
  const reopened = await onBob.group(session.group.publicKey)
  expect(texts(await reopened.messages())).toEqual(['hello club'])
  expect(reopened.state.name).toBe('club')

  await onBob.leaveGroup(session.group.publicKey)
  expect(onBob.groups()).toHaveLength(0)
  expect(await code(onBob.group(session.group.publicKey))).toBe(GroupsErrorCode.GROUP_UNKNOWN)
})

it('records each contact-request step in the account group, and both sides chat once accepted', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const onAlice = await openAccount(alice)
  const onBob = await openAccount(bob)
  await connect(alice, bob)
  const bobCard = onBob.contactCard(text('Bob'))

  // The handshake itself is the network side's job: here each step is recorded as it would be.
  const aliceSide = await onAlice.requestContact(bobCard, text('Alice'))
  await aliceSide.send(text('written before Bob accepted'))
  await onAlice.markContactRequestSent(bobCard.accountId)
  expect(await onBob.receiveContactRequest(onAlice.contactCard(text('Alice')))).toBe(true)
  expect(onBob.contacts()).toMatchObject([
    { status: ContactStatus.INCOMING_RECEIVED, metadata: text('Alice') },
  ])
  const bobSide = await onBob.acceptContactRequest(onAlice.accountId)
  expect(bobSide.group.publicKey).toEqual(aliceSide.group.publicKey)
  await bobSide.send(text('hi Alice'))
  const all = ['written before Bob accepted', 'hi Alice']
  expect(texts(await untilRead(bobSide, all))).toHaveLength(2)
  expect(texts(await untilRead(aliceSide, all))).toHaveLength(2)
  expect(await onBob.group(onAlice.accountId)).toBe(bobSide) // by the contact's account ID too

  // Steps out of order are refused and record nothing.
  const before = onBob.accountGroup.state.rejected.length
  expect(await code(onBob.acceptContactRequest(onAlice.accountId))).toBe(
    GroupsErrorCode.INVALID_CONTACT_STATE,
  )
  expect(await code(onBob.markContactRequestSent(onAlice.accountId))).toBe(
    GroupsErrorCode.INVALID_CONTACT_STATE,
  )
  expect(await code(onBob.requestContact(onBob.contactCard()))).toBe(GroupsErrorCode.INVALID_CONTACT_STATE)
  expect(onBob.accountGroup.state.rejected.length).toBe(before)
})

it('refuses requests from a blocked account until unblocked, and renews the rendezvous seed', async () => {
  const alice = await startDevice()
  const onAlice = await openAccount(alice)
  const mallory = AccountKeys.create()
  const card = { accountId: mallory.accountId, publicRendezvousSeed: randomBytes(32), metadata: text('M') }
  await onAlice.blockContact(mallory.accountId)
  expect(onAlice.isBlocked(mallory.accountId)).toBe(true)
  expect(await code(onAlice.receiveContactRequest(card))).toBe(GroupsErrorCode.CONTACT_BLOCKED)
  expect(onAlice.contacts()).toEqual([])
  await onAlice.unblockContact(mallory.accountId)
  expect(await onAlice.receiveContactRequest(card)).toBe(true)
  await onAlice.discardContactRequest(mallory.accountId)
  expect(onAlice.contacts()[0]?.status).toBe(ContactStatus.INCOMING_DISCARDED)

  const oldSeed = onAlice.contactCard().publicRendezvousSeed
  expect(oldSeed).toEqual(alice.account.publicRendezvousSeed())
  const renewed = await onAlice.resetRendezvousSeed()
  expect(onAlice.contactCard().publicRendezvousSeed).toEqual(renewed)
  expect(renewed).not.toEqual(oldSeed)
  await onAlice.enableContactRequests()
  expect(onAlice.state.contactRequestsEnabled).toBe(true)
})

it('refuses to open a secret store with another account in it', async () => {
  const alice = await startDevice()
  await openAccount(alice)
  const other = await code(
    WeshAccount.open({ node: alice.node, secrets: alice.secrets, keys: AccountKeys.create() }),
  )
  expect(other).toBe(GroupsErrorCode.ACCOUNT_MISMATCH)
})

it('a wait rejects as soon as its signal aborts, with no log update needed', async () => {
  const alice = await startDevice()
  const onAlice = await openAccount(alice)
  const controller = new AbortController()
  const waiting = onAlice.accountGroup.waitFor(() => false, { signal: controller.signal })
  controller.abort(new Error('gave up'))
  await expect(waiting).rejects.toThrow('gave up')
})

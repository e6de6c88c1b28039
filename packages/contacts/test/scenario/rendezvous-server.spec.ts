import { toHex } from '@wesh/crypto'
import { AccountKeys, ContactStatus, contactCardLink, type ContactCard } from '@wesh/groups'
import { afterEach, expect, it } from 'vitest'
import { cleanupAll, connect, nextEvent, startDevice, startRendezvousServer, untilRead } from './helpers.js'

afterEach(cleanupAll)
const text = (value: string) => new TextEncoder().encode(value)

it('sends a request found through a rendezvous server process; once accepted both sides chat', async () => {
  const server = await startRendezvousServer()
  const alice = await startDevice({ servers: [server.address] })
  const bob = await startDevice({ servers: [server.address] })
  const onAlice = await alice.startContacts()
  const onBob = await bob.startContacts()
  const bobAccount = bob.account!
  const registered = nextEvent(onBob, 'announce:register')
  await bobAccount.enableContactRequests()
  await registered
  const bobCard = contactCardLink(bobAccount.contactCard(text('Bob')))

  const received = nextEvent<{ card: ContactCard; recorded: boolean }>(onBob, 'request:received')
  const sent = nextEvent(onAlice, 'request:sent')
  const aliceSide = await onAlice.send(bobCard, text('Alice'))
  await aliceSide.send(text('hi Bob, written before you accepted'))
  const { card, recorded } = await received
  await sent
  expect(recorded).toBe(true)
  expect(toHex(card.accountId)).toBe(toHex(alice.account!.accountId))
  expect(new TextDecoder().decode(card.metadata)).toBe('Alice')
  expect(alice.account!.state.contacts.get(toHex(bobAccount.accountId))?.status).toBe(
    ContactStatus.OUTGOING_SENT,
  )
  expect(bobAccount.state.contacts.get(toHex(card.accountId))?.status).toBe(ContactStatus.INCOMING_RECEIVED)

  const bobSide = await bobAccount.acceptContactRequest(card.accountId)
  await untilRead(bobSide, 'hi Bob, written before you accepted')
  await bobSide.send(text('hello Alice'))
  await untilRead(aliceSide, 'hello Alice')
})

it('refuses a blocked account without a trace, and takes its request once unblocked', async () => {
  const server = await startRendezvousServer()
  const alice = await startDevice({ servers: [server.address] })
  const bob = await startDevice({ servers: [server.address] })
  const onAlice = await alice.startContacts()
  const onBob = await bob.startContacts()
  const bobAccount = bob.account!
  await bobAccount.blockContact(alice.account!.accountId)
  const registered = nextEvent(onBob, 'announce:register')
  await bobAccount.enableContactRequests()
  await registered

  const refused = nextEvent<{ error: { code: string } }>(onBob, 'request:refused')
  const retried = nextEvent(onAlice, 'request:retry')
  await onAlice.send(bobAccount.contactCard(text('Bob')))
  expect((await refused).error.code).toBe('CONTACT_BLOCKED')
  await retried
  expect(bobAccount.state.contacts.size).toBe(0) // no trace

  const received = nextEvent(onBob, 'request:received')
  await bobAccount.unblockContact(alice.account!.accountId)
  await received // the retries go on until the request is sent
  expect(bobAccount.state.contacts.get(toHex(alice.account!.accountId))?.status).toBe(
    ContactStatus.INCOMING_RECEIVED,
  )
})

it('renewing the rendezvous seed withdraws the old point at once: a request to the old card never arrives', async () => {
  const server = await startRendezvousServer()
  const alice = await startDevice({ servers: [server.address] })
  const bob = await startDevice({ servers: [server.address] })
  const carol = await startDevice({ servers: [server.address] })
  const onAlice = await alice.startContacts()
  const onBob = await bob.startContacts()
  const onCarol = await carol.startContacts()
  const bobAccount = bob.account!
  const first = nextEvent(onBob, 'announce:register')
  await bobAccount.enableContactRequests()
  await first
  const oldCard = bobAccount.contactCard(text('Bob'))

  const renewed = nextEvent(onBob, 'announce:register')
  await bobAccount.resetRendezvousSeed()
  await renewed
  const newCard = bobAccount.contactCard(text('Bob'))
  expect(toHex(newCard.publicRendezvousSeed)).not.toBe(toHex(oldCard.publicRendezvousSeed))

  // Alice holds the old card: each attempt finds no one on the old point.
  const unreachable = nextEvent<{ error: { code: string } }>(
    onAlice,
    'request:retry',
    (d) => d.error.code !== '',
  )
  await onAlice.send(oldCard)
  expect((await unreachable).error.code).toBe('CONTACT_UNREACHABLE')
  // Carol holds the new one and gets through; Alice's request still has not.
  const received = nextEvent<{ card: ContactCard }>(onBob, 'request:received')
  await onCarol.send(newCard)
  expect(toHex((await received).card.accountId)).toBe(toHex(carol.account!.accountId))
  await nextEvent(onAlice, 'request:retry')
  expect(bobAccount.state.contacts.has(toHex(alice.account!.accountId))).toBe(false)
})

it('delivers a request sent while the responder is offline once it comes back, also across a requester restart', async () => {
  const server = await startRendezvousServer()
  let alice = await startDevice({ servers: [server.address] })
  let bob = await startDevice({ servers: [server.address] })
  await bob.startContacts()
  const registered = nextEvent(bob.contacts!, 'announce:register')
  await bob.account!.enableContactRequests()
  await registered
  const bobCard = bob.account!.contactCard(text('Bob'))
  const bobKeys = { directory: bob.directory, storeKey: bob.storeKey }
  await bob.stop() // withdraws its registration: Bob is offline

  await alice.startContacts()
  const failing = nextEvent(alice.contacts!, 'request:retry')
  await alice.contacts!.send(bobCard, text('Alice'))
  await failing
  // Alice restarts too: the request lives in her account group and is picked up again.
  const aliceKeys = { directory: alice.directory, storeKey: alice.storeKey }
  await alice.stop()
  alice = await startDevice({ servers: [server.address], ...aliceKeys })
  await alice.startContacts()
  expect(alice.account!.state.contacts.get(toHex(bobCard.accountId))?.status).toBe(
    ContactStatus.OUTGOING_ENQUEUED,
  )

  bob = await startDevice({ servers: [server.address], ...bobKeys })
  await bob.open()
  const received = nextEvent<{ card: ContactCard }>(await bob.startContacts(), 'request:received')
  const sent = nextEvent(alice.contacts!, 'request:sent')
  expect(toHex((await received).card.accountId)).toBe(toHex(alice.account!.accountId))
  await sent
  expect(alice.account!.state.contacts.get(toHex(bobCard.accountId))?.status).toBe(
    ContactStatus.OUTGOING_SENT,
  )
})

it('a request taken by one device of the account is seen, and can be accepted, on the other', async () => {
  const server = await startRendezvousServer()
  const alice = await startDevice({ servers: [server.address] })
  const laptop = await startDevice({ servers: [server.address] })
  const onLaptop = await laptop.startContacts()
  // The phone holds the same account, linked as PROTOCOL.md §6.3 moves it: no device key of the laptop's.
  const phone = await startDevice({ servers: [server.address] })
  await phone.open(AccountKeys.fromState(laptop.account!.keys.exportState({ device: false })))
  await connect(phone, laptop)
  const registered = nextEvent(onLaptop, 'announce:register')
  await laptop.account!.enableContactRequests()
  await registered

  const onAlice = await alice.startContacts()
  const aliceSide = await onAlice.send(laptop.account!.contactCard(text('Bob')))
  const aliceId = toHex(alice.account!.accountId)
  await phone.account!.waitFor(
    (state) => state.contacts.get(aliceId)?.status === ContactStatus.INCOMING_RECEIVED,
  )
  const phoneSide = await phone.account!.acceptContactRequest(alice.account!.accountId)
  await laptop.account!.waitFor((state) => state.contacts.get(aliceId)?.status === ContactStatus.ACCEPTED)
  await phoneSide.send(text('hi from Bob’s phone'))
  await untilRead(aliceSide, 'hi from Bob’s phone')
})

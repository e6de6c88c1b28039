import { randomBytes } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import {
  cleanupDevices,
  connect,
  contactGroupOf,
  heal,
  partition,
  openContactGroup,
  startDevice,
  untilRead,
} from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)
const texts = (messages: { plaintext: Uint8Array }[]) =>
  messages.map((m) => new TextDecoder().decode(m.plaintext))

it('two islands write 200 messages each while apart, then converge to one identical order', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const sessionA = await openContactGroup(alice, bob)
  const sessionB = await openContactGroup(bob, alice)
  await connect(alice, bob)
  await sessionA.send(text('together'))
  await untilRead(sessionB, ['together'])

  await partition(alice, bob)
  expect(alice.node.libp2p.getConnections(bob.node.libp2p.peerId)).toHaveLength(0)
  const written = { a: [] as string[], b: [] as string[] }
  for (let i = 0; i < 200; i++) {
    written.a.push(`a${i}`)
    written.b.push(`b${i}`)
    await Promise.all([sessionA.send(text(`a${i}`)), sessionB.send(text(`b${i}`))])
  }
  // Apart, each side sees only its own island.
  expect(texts(await sessionA.messages())).not.toContain('b0')

  await heal(alice, bob)
  const all = ['together', ...written.a, ...written.b]
  const readA = await untilRead(sessionA, all)
  const readB = await untilRead(sessionB, all)
  expect(readA).toHaveLength(401)
  expect(readA.map((m) => m.id)).toEqual(readB.map((m) => m.id))
  expect(texts(readA)).toEqual(texts(readB))
}, 120_000)

it('a device restarted from its directory keeps its messages and chains', async () => {
  const storeKey = randomBytes(32)
  const alice = await startDevice()
  let bob = await startDevice(undefined, undefined, storeKey)
  const sessionA = await openContactGroup(alice, bob)
  let sessionB = await openContactGroup(bob, alice)
  await connect(alice, bob)
  await sessionA.send(text('one'))
  await sessionB.send(text('two'))
  await untilRead(sessionB, ['one', 'two'])
  const before = (await sessionB.messages()).map((m) => m.id)

  const { account, directory } = bob
  await bob.stop()
  bob = await startDevice(account, directory, new Uint8Array(storeKey))
  sessionB = await openContactGroup(bob, alice)
  expect((await sessionB.messages()).map((m) => m.id)).toEqual(before) // read offline, from disk

  await connect(alice, bob)
  await sessionA.send(text('three'))
  await sessionB.send(text('four')) // the sending chain goes on from where it was
  expect(texts(await untilRead(sessionB, ['one', 'two', 'three', 'four']))).toHaveLength(4)
  expect(texts(await untilRead(sessionA, ['one', 'two', 'three', 'four']))).toHaveLength(4)
  expect(contactGroupOf(bob, alice).publicKey).toEqual(sessionB.group.publicKey)
}, 60_000)

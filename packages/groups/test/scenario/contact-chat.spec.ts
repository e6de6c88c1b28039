import { afterEach, expect, it } from 'vitest'
import {
  cleanupDevices,
  connect,
  contactGroupOf,
  openContactGroup,
  startDevice,
  untilRead,
} from './helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)

it('two contacts derive the same group and chat both ways', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const group = contactGroupOf(alice, bob)
  expect(contactGroupOf(bob, alice).publicKey).toEqual(group.publicKey)
  const aliceSession = await openContactGroup(alice, bob)
  const bobSession = await openContactGroup(bob, alice)
  await connect(alice, bob)

  await aliceSession.send(text('hello Bob'))
  await bobSession.send(text('hi Alice'))
  await aliceSession.send(text('how are you?'))

  const bobRead = await untilRead(bobSession, ['hello Bob', 'hi Alice', 'how are you?'])
  const aliceRead = await untilRead(aliceSession, ['hello Bob', 'hi Alice', 'how are you?'])
  const order = (messages: typeof bobRead) => messages.map((m) => m.id)
  expect(order(bobRead)).toEqual(order(aliceRead)) // the same converged order on both sides
  expect(bobSession.state.members.size).toBe(2)
})

import { afterEach, expect, it } from 'vitest'
import { GroupSession, membershipOf } from '../../../src/node/index.js'
import { MAX_PAGE_ENTRIES, MIN_HISTORY_ENTRIES } from '../../../src/node/log-sync/constants.js'
import { LogSyncErrorCode } from '../../../src/node/log-sync/errors.js'
import {
  cleanupDevices,
  connect,
  contactGroupOf,
  heal,
  openContactGroup,
  partition,
  startDevice,
  type Device,
} from '../../scenario/helpers.js'

afterEach(cleanupDevices)
const text = (value: string) => new TextEncoder().encode(value)
const read = (messages: { plaintext: Uint8Array }[]) =>
  messages.map((m) => new TextDecoder().decode(m.plaintext))

function openWithHistory(device: Device, peer: Device, messages: number) {
  const group = contactGroupOf(device, peer)
  return GroupSession.open({
    node: device.node,
    secrets: device.secrets,
    group,
    ...membershipOf(device.account, group),
    knownMembers: [peer.account.accountId],
    history: { messages },
  })
}

it('fetches the newest messages first and older pages on demand; the metadata log whole', async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  const chat = await openContactGroup(alice, bob)
  const sent = Array.from({ length: 300 }, (_, i) => `message ${i}`)
  for (const message of sent) await chat.send(text(message))

  const bobChat = await openWithHistory(bob, alice, 64)
  bob.sessions.push(bobChat)
  await connect(bob, alice)
  await bobChat.waitFor((s) => s.state.chainKeys.size > 0)
  await expect.poll(async () => (await bobChat.messages()).length, { timeout: 60_000 }).toBe(64)
  expect(read(await bobChat.messages())).toEqual(sent.slice(-64).reverse())
  expect(bobChat.state.members.size).toBe(2) // the metadata log came whole

  await partition(bob, alice)
  await expect(bobChat.loadOlder(100)).rejects.toMatchObject({ code: LogSyncErrorCode.NO_PEER })
  await heal(bob, alice)
  expect(await bobChat.loadOlder(100)).toEqual({ loaded: 100, complete: false })
  expect(read(await bobChat.messages())).toEqual(sent.slice(-164).reverse())
  expect(await bobChat.loadOlder(1_000)).toEqual({ loaded: 136, complete: true })
  expect(read(await bobChat.messages())).toEqual([...sent].reverse())
  expect(await bobChat.loadOlder(10)).toEqual({ loaded: 0, complete: true })

  // New messages keep coming live, above the history.
  await chat.send(text('live'))
  await expect
    .poll(async () => read(await bobChat.messages({ limit: 1 })), { timeout: 60_000 })
    .toEqual(['live'])
})

it(`refuses a history of fewer than ${MIN_HISTORY_ENTRIES} messages`, async () => {
  const alice = await startDevice()
  const bob = await startDevice()
  await expect(openWithHistory(bob, alice, MIN_HISTORY_ENTRIES - 1)).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
  })
  const session = await openWithHistory(bob, alice, MIN_HISTORY_ENTRIES)
  bob.sessions.push(session)
  await expect(session.loadOlder(0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  await expect(session.loadOlder(MAX_PAGE_ENTRIES + 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  expect(await session.loadOlder(MAX_PAGE_ENTRIES)).toEqual({ loaded: 0, complete: true })
})

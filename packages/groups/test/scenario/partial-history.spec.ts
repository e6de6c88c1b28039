import { randomBytes } from '@wesh/crypto'
import { afterEach, expect, it } from 'vitest'
import type { GroupMessage, GroupSession } from '../../src/node/index.js'
import { cleanupDevices, connect, openContactGroup, startDevice, untilRead } from './helpers.js'

// A device back online after its contact wrote 300 messages, with a partial history of 50 messages per page.
afterEach(cleanupDevices)
const WRITTEN = 300
const PAGE = 50
const text = (value: string) => new TextEncoder().encode(value)
const texts = (messages: readonly GroupMessage[]) =>
  messages.map((m) => new TextDecoder().decode(m.plaintext))
const newestFirst = (from: number, count: number) => Array.from({ length: count }, (_, i) => `m${from - i}`)

/** Resolves when `session` reads the message with this text as news. */
async function untilNews(session: GroupSession, wanted: string): Promise<void> {
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal })
  if ((await session.messages({ limit: 1 })).some((m) => texts([m])[0] === wanted)) return
  for await (const message of stream) if (texts([message])[0] === wanted) break
  controller.abort()
}

it('reads the newest page first after a long absence, and older pages only when asked for', async () => {
  const storeKey = randomBytes(32)
  const alice = await startDevice()
  let bob = await startDevice(undefined, undefined, storeKey)
  const sessionA = await openContactGroup(alice, bob)
  await openContactGroup(bob, alice)
  await connect(alice, bob)
  await sessionA.send(text('hello'))
  await untilRead(bob.sessions[0]!, ['hello']) // both chains known: what follows is readable

  const { account, directory } = bob
  await bob.stop()
  for (let i = 0; i < WRITTEN; i++) await sessionA.send(text(`m${i}`))
  bob = await startDevice(account, directory, new Uint8Array(storeKey))
  const sessionB = await openContactGroup(bob, alice, { messageHistoryPage: PAGE })
  const news = untilNews(sessionB, `m${WRITTEN - 1}`)
  await connect(alice, bob)
  await news
  const received = () => bob.node.logSync!.stats.blocksReceived

  // The newest page came with the catch-up; reading it asks the network for nothing more.
  const first = await sessionB.messages({ limit: PAGE })
  expect(texts(first)).toEqual(newestFirst(WRITTEN - 1, PAGE))
  expect(received()).toBe(PAGE - 1) // its head came with the head exchange

  // The next page reaches past what is here: one page is fetched, read with the chain's skipped keys.
  const second = await sessionB.messages({ before: first.at(-1)!.id, limit: 2 * PAGE })
  expect(texts(second)).toEqual(newestFirst(WRITTEN - 1 - PAGE, 2 * PAGE))
  expect(received()).toBe(3 * PAGE - 1)

  // All of it: every older page, down to the first message.
  const all = await sessionB.messages()
  expect(texts(all)).toEqual([...newestFirst(WRITTEN - 1, WRITTEN), 'hello'])
  expect(texts(await sessionA.messages())).toEqual(texts(all))
  await expect(sessionB.messages({ before: 'not-an-id' })).rejects.toMatchObject({
    code: 'MESSAGE_NOT_FOUND',
  })
  await expect(sessionB.messages({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
}, 120_000)

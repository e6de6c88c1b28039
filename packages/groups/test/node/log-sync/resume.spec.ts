import { afterEach, expect, it } from 'vitest'
import type { LogSyncEvent } from '../../../src/node/log-sync/log-sync.js'
import { Nodes, TestLog, appendMany, connect, untilEntries } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

it('resumes a walk cut short from where it stopped, with another peer', async () => {
  const log = new TestLog()
  const [a, b, c] = [
    await nodes.start(),
    await nodes.start({ logSync: { credit: 1, batchBytes: 8_192 } }),
    await nodes.start(),
  ]
  const writer = await log.open(a)
  await appendMany(writer, log, 2_000)
  const copy = await log.open(c)
  await connect(c, a)
  await untilEntries(copy, 2_000)

  const events: LogSyncEvent[] = []
  let cut: Promise<void> | undefined
  const replica = await log.open(b, {
    onSyncEvent: (event) => {
      events.push(event)
      // Two batches in, the link to A drops.
      if (event.type === 'batch' && event.received >= 200 && cut === undefined)
        cut = b.libp2p.hangUp(a.libp2p.peerId)
    },
  })
  await connect(b, a)
  await expect
    .poll(() => events.some((event) => event.type === 'interrupted'), { timeout: 60_000 })
    .toBe(true)
  await cut
  expect((await replica.all()).length).toBe(0) // nothing joined until the history is whole
  await connect(b, c)
  await untilEntries(replica, 2_000)

  const interrupted = events.find((event) => event.type === 'interrupted')
  const pulled = events.filter((event) => event.type === 'pulled')
  expect(interrupted).toMatchObject({ peer: a.libp2p.peerId.toString() })
  expect(pulled).toHaveLength(1)
  expect(pulled[0]).toMatchObject({ peer: c.libp2p.peerId.toString() })
  // No entry came twice: the second walk started where the first one stopped.
  const first = interrupted?.type === 'interrupted' ? interrupted.received : 0
  expect(first).toBeGreaterThanOrEqual(200)
  expect(first + (pulled[0]?.type === 'pulled' ? pulled[0].received : 0)).toBe(1_999)
  expect((await replica.all()).map((e) => e.hash)).toEqual((await writer.all()).map((e) => e.hash))
})

import { afterEach, expect, it } from 'vitest'
import type { LogSyncEvent } from '../../../src/node/log-sync/log-sync.js'
import { Nodes, TestLog, appendMany, connect, untilEntries } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

const hashes = async (db: { all(): Promise<{ hash: string }[]> }) =>
  (await db.all()).map((entry) => entry.hash)

it('brings a log of 5 000 entries to a fresh replica in one walk, in the same order', async () => {
  const log = new TestLog()
  const a = await nodes.start()
  const b = await nodes.start()
  const writer = await log.open(a)
  await appendMany(writer, log, 5_000)
  const events: LogSyncEvent[] = []
  const replica = await log.open(b, { onSyncEvent: (event) => events.push(event) })
  await connect(b, a)
  await untilEntries(replica, 5_000)
  expect(await hashes(replica)).toEqual(await hashes(writer))
  // The head comes with OrbitDB's head exchange; everything behind it in one walk.
  expect(events.filter((event) => event.type === 'pulled')).toEqual([
    { type: 'pulled', peer: a.libp2p.peerId.toString(), received: 4_999, end: 'SATISFIED' },
  ])
})

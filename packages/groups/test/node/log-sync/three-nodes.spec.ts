import { afterEach, expect, it } from 'vitest'
import { Nodes, TestLog, appendMany, connect, untilEntries } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

const hashes = async (db: { all(): Promise<{ hash: string }[]> }) =>
  (await db.all()).map((entry) => entry.hash)

it('converges three nodes that wrote apart on one log of 5 000 entries', async () => {
  const log = new TestLog()
  const [a, b, c] = [await nodes.start(), await nodes.start(), await nodes.start()]
  const [logA, logB, logC] = [await log.open(a), await log.open(b), await log.open(c)]
  await Promise.all([appendMany(logA, log, 3_000), appendMany(logC, log, 1_990)])
  await appendMany(logB, log, 10)
  await connect(a, b)
  await connect(b, c)
  await Promise.all([untilEntries(logA, 5_000), untilEntries(logB, 5_000), untilEntries(logC, 5_000)])
  const order = await hashes(logA)
  expect(order).toHaveLength(5_000)
  expect(await hashes(logB)).toEqual(order)
  expect(await hashes(logC)).toEqual(order)
})

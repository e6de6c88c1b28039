import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { afterAll, expect, it } from 'vitest'
import { LogFixture } from './log-fixture.js'

// Real nodes on 127.0.0.1: a replica that was away catches up a run of entries written on top of its head.
const fixture = new LogFixture('wesh-log-sync-heads-')

afterAll(() => fixture.cleanup())

const node = () => fixture.node({ network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' } })

const headsOf = async (log: EventsDatabase) =>
  (await log.log.heads())
    .map((head) => head.hash)
    .sort()
    .join()

/** Resolves once `log` holds the entry with this hash, waiting for OrbitDB's 'update' (fired once heads are written). */
async function joined(log: EventsDatabase, hash: string): Promise<void> {
  let onUpdate: ((entry: LogEntry<EventsPayload>) => void) | undefined
  const updated = new Promise<void>((resolve) => {
    onUpdate = (entry) => {
      if (entry.hash === hash) resolve()
    }
    log.events.on('update', onUpdate)
  })
  try {
    if (!(await log.log.has(hash))) await updated
  } finally {
    log.events.off('update', onUpdate!)
  }
}

/**
 * A replica that joined the writer's first entry, then was away (its log closed) while the writer wrote a run longer
 * than OrbitDB's references reach (16 entries back, and 16 more from the oldest of them): the join of the new head
 * meets the old head only by walking the whole run, which the catch-up adds to the index before the join
 * (RESILIENCE.md bug 11).
 */
async function replicaAwayForARun() {
  const writer = await node()
  const replica = await node()
  const writerLog = await fixture.open(writer)
  await fixture.append(writerLog, 1, () => Uint8Array.of(0))
  const [oldHead] = (await writerLog.log.heads()).map((head) => head.hash)
  await replica.libp2p.dial(writer.libp2p.getMultiaddrs()[0]!)
  const replicaLog = await fixture.open(replica)
  await joined(replicaLog, oldHead!)
  await replicaLog.close()
  await fixture.append(writerLog, 50, () => Uint8Array.of(1))
  const [newHead] = (await writerLog.log.heads()).map((head) => head.hash)
  return { replica, writerLog, address: replicaLog.address, newHead: newHead! }
}

it('drops the old head when a catch-up brings entries written on top of it, however far back', async () => {
  const { replica, writerLog, address, newHead } = await replicaAwayForARun()
  const blocksBefore = replica.logSync!.stats.blocksReceived
  const replicaLog = await fixture.open(replica)
  expect(replicaLog.address).toBe(address)
  await joined(replicaLog, newHead)

  expect(replica.logSync!.stats.blocksReceived - blocksBefore).toBe(49) // the run came by log sync
  expect(await headsOf(replicaLog)).toBe(newHead) // not the old head beside it
  expect(await headsOf(replicaLog)).toBe(await headsOf(writerLog))
}, 120_000)

it('drops an entry of the run that a join of its own made a head while the catch-up was under way', async () => {
  const { replica, writerLog, newHead } = await replicaAwayForARun()
  const entries = await Promise.all((await writerLog.all()).map(({ hash }) => writerLog.log.get(hash)))
  const firstOfRun = entries.find((entry) => entry?.clock.time === 2)!
  const replicaLog = await fixture.open(replica)
  // The first entry of the run arrives on its own (a gossip message late) once the run is fetched, before the catch-up
  // puts it in the index: its parent is in the log, so it is joined at once, as a head (seen under load in CI).
  let lateJoin: Promise<boolean> | undefined
  replica.logSync!.addEventListener('progress', (event) => {
    if ((event as CustomEvent<{ wanted: number }>).detail.wanted > 0) return
    lateJoin ??= replicaLog.log.joinEntry(firstOfRun)
  })
  await joined(replicaLog, newHead)

  expect(await lateJoin).toBe(true) // it was a head before the run reached the index
  expect(await headsOf(replicaLog)).toBe(newHead) // not beside the new head
}, 120_000)

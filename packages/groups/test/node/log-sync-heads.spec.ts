import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { afterAll, expect, it } from 'vitest'
import { frame, unframe } from '../../src/node/length-prefixed-frames.js'
import { readLocal } from '../../src/node/local-first-blocks.js'
import {
  LOG_SYNC_PROTOCOL,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_REQUEST_BYTES,
  decodeLogSyncRequest,
  encodeLogSyncBatch,
} from '../../src/node/log-sync-codec.js'
import { type ServedLog, collectBatch } from '../../src/node/log-sync-server.js'
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
  // Away means away: none of the run reaches the replica as gossip (gossipsub offers the last seconds' messages to a
  // peer that subscribes again), all of it comes by the catch-up.
  const { pubsub } = writer.libp2p.services
  const publish = pubsub.publish.bind(pubsub)
  pubsub.publish = () => Promise.resolve({ recipients: [] })
  await fixture.append(writerLog, 50, () => Uint8Array.of(1))
  pubsub.publish = publish
  const [newHead] = (await writerLog.log.heads()).map((head) => head.hash)
  return { writer, replica, writerLog, address: replicaLog.address, newHead: newHead! }
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
  const { writer, replica, writerLog, newHead } = await replicaAwayForARun()
  const entries = await Promise.all((await writerLog.all()).map(({ hash }) => writerLog.log.get(hash)))
  const firstOfRun = entries.find((entry) => entry?.clock.time === 2)!
  let opened: (log: EventsDatabase) => void = () => undefined
  const replicaOpened = new Promise<EventsDatabase>((resolve) => (opened = resolve)) // the catch-up may start first
  // The writer serves the run as log sync does, except that the batch carrying the run's first entry waits until the
  // replica has joined that entry on its own (a gossip message late): asked for, not yet in the index, it is joined
  // at once (its parent is in the log), as a head — the order seen under load in CI.
  let lateJoin: boolean | undefined
  const served: ServedLog = {
    has: (hash) => writerLog.log.has(hash),
    get: (hash) => writerLog.log.get(hash),
    block: (hash) => readLocal(writer.helia.blockstore, CID.parse(hash, base58btc)),
  }
  await writer.libp2p.unhandle(LOG_SYNC_PROTOCOL)
  await writer.libp2p.handle(LOG_SYNC_PROTOCOL, async (stream) => {
    for await (const bytes of unframe(stream, MAX_LOG_SYNC_REQUEST_BYTES, 'log-sync request')) {
      const batch = await collectBatch(served, decodeLogSyncRequest(bytes))
      if (batch.blocks.some(({ hash }) => hash === firstOfRun.hash)) {
        lateJoin ??= await (await replicaOpened).log.joinEntry(firstOfRun)
      }
      stream.send(frame(encodeLogSyncBatch(batch), MAX_LOG_SYNC_BATCH_BYTES, 'log-sync batch'))
    }
    await stream.close()
  })
  const replicaLog = await fixture.open(replica)
  opened(replicaLog)
  await joined(replicaLog, newHead)

  expect(lateJoin).toBe(true) // it was a head before the run reached the index
  expect(await headsOf(replicaLog)).toBe(newHead) // not beside the new head
}, 120_000)

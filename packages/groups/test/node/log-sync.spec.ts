import type { Stream } from '@libp2p/interface'
import type { EventsDatabase } from '@orbitdb/core'
import { randomBytes } from '@wesh/crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { signEntry } from '../../src/index.js'
import {
  LOG_SYNC_PROTOCOL,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_REQUEST_BYTES,
  decodeLogSyncRequest,
  encodeLogSyncBatch,
} from '../../src/node/log-sync-codec.js'
import type { LogSyncCutOff, LogSyncOptions } from '../../src/node/log-sync.js'
import { frame, unframe } from '../../src/node/length-prefixed-frames.js'
import type { WeshNode } from '../../src/node/wesh-node.js'
import { LogFixture } from './log-fixture.js'

// Real nodes on 127.0.0.1 catching up a 5 000-entry group log over /wesh/log-sync/1.0.0. The writer's logs and one
// replica are built once for the file (appending is the slow part); every reader is a fresh node.
const ENTRIES = 5_000
/** Several 5 000-entry catch-ups per test on 2 busy cores: a budget, never a measure (the tests wait on events). */
const BUDGET_MS = 900_000
/** The liar tests use the group's other log, shorter: what they test is the first batch. */
const LIAR_ENTRIES = 300
const fixture = new LogFixture('wesh-log-sync-')
const { nodes, groupKey } = fixture
let writer: WeshNode
let writerLog: EventsDatabase
let writerShortLog: EventsDatabase
let replica: WeshNode
let replicaLog: EventsDatabase
let replicaShortLog: EventsDatabase

function node(logSync?: LogSyncOptions): Promise<WeshNode> {
  return fixture.node({
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
    ...(logSync === undefined ? {} : { logSync }),
  })
}

const open = fixture.open.bind(fixture)

const connect = async (a: WeshNode, b: WeshNode) => {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
}
const headsOf = async (log: EventsDatabase) =>
  (await log.log.heads())
    .map((head) => head.hash)
    .sort()
    .join()

/** Resolves once every log has the same heads as `logs[0]` (the writer's by default), checked on each update. */
async function converged(...logs: EventsDatabase[]): Promise<void> {
  const all = logs.length === 1 ? [writerLog, ...logs] : logs
  const same = async () => new Set(await Promise.all(all.map(headsOf))).size === 1
  if (await same()) return
  await new Promise<void>((resolve) => {
    const check = () => {
      void same().then((done) => {
        if (!done) return
        for (const log of all) log.events.off('update', check)
        resolve()
      })
    }
    for (const log of all) log.events.on('update', check)
  })
}

const count = async (log: EventsDatabase) => {
  let entries = 0
  for await (const entry of log.iterator()) if (entry.hash) entries += 1
  return entries
}

function nextEvent<T>(
  target: EventTarget,
  type: string,
  accept: (detail: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (event: Event) => {
      const { detail } = event as CustomEvent<T>
      if (!accept(detail)) return
      target.removeEventListener(type, listener)
      resolve(detail)
    }
    target.addEventListener(type, listener)
  })
}

beforeAll(async () => {
  writer = await node()
  writerLog = await open(writer)
  writerShortLog = await open(writer, 'metadata')
  const payload = randomBytes(200)
  await fixture.append(writerLog, ENTRIES, () => payload)
  await fixture.append(writerShortLog, LIAR_ENTRIES, () => payload)
  // Two nodes: a fresh replica catches up from the writer.
  replica = await node()
  await connect(replica, writer)
  replicaLog = await open(replica)
  replicaShortLog = await open(replica, 'metadata')
  await converged(replicaLog)
}, BUDGET_MS)

afterAll(() => fixture.cleanup())

it(
  'catches up two and three nodes on a 5 000-entry log in batches, then keeps them converged',
  async () => {
    expect(await count(replicaLog)).toBe(ENTRIES)
    expect(replica.logSync?.stats.blocksReceived).toBeGreaterThanOrEqual(ENTRIES - 1) // not block by block

    // A third node that meets only the replica catches up from it.
    const third = await node()
    await connect(third, replica)
    const thirdLog = await open(third)
    await converged(thirdLog)
    expect(await count(thirdLog)).toBe(ENTRIES)
    expect(third.logSync?.stats.blocksReceived).toBeGreaterThanOrEqual(ENTRIES - 1)

    // New entries still travel as before, and the three stay converged.
    await connect(third, writer)
    await writerLog.add(signEntry(groupKey.seed, Uint8Array.of(1)))
    await replicaLog.add(signEntry(groupKey.seed, Uint8Array.of(2)))
    await converged(writerLog, replicaLog, thirdLog)
    expect(await count(thirdLog)).toBe(ENTRIES + 2)
  },
  BUDGET_MS,
)

it(
  'resumes an interrupted catch-up from the blocks it stored, with nothing joined before',
  async () => {
    const reader = await node({ batchBlocks: 100 })
    const sync = reader.logSync!
    // Every node counts: the DHT may connect the reader to the third node of the test before, which serves too.
    const served = () => nodes.reduce((sum, each) => sum + (each.logSync?.stats.blocksServed ?? 0), 0)
    const servedBefore = served()
    await connect(reader, replica)
    const interrupted = nextEvent(sync, 'progress', () => sync.stats.blocksReceived >= ENTRIES / 5)
    const readerLog = await open(reader)
    await interrupted
    await reader.libp2p.hangUp(replica.libp2p.peerId) // the stream breaks mid-catch-up
    expect(sync.stats.blocksReceived).toBeLessThan(ENTRIES / 2)
    // Stored and checked, never joined in part: the log holds none of it, or all of it once resumed.
    expect([0, await count(writerLog)]).toContain(await count(readerLog))

    await connect(reader, writer)
    await converged(readerLog)
    expect(await count(readerLog)).toBe(await count(writerLog))
    // Resumed from what was stored: the peers served the log about once in all, not once and then again
    // (slack: a batch in flight at the break, and one batch per catch-up).
    expect(served() - servedBefore).toBeGreaterThanOrEqual(ENTRIES - 1)
    expect(served() - servedBefore).toBeLessThanOrEqual(ENTRIES + 300)
    expect(sync.stats.blocksReceived).toBeGreaterThanOrEqual(ENTRIES - 1) // none walked block by block
  },
  BUDGET_MS,
)

it(
  'keeps a partial history: the newest page at the join, older pages on demand, the whole log in order at the end',
  async () => {
    const reader = await node()
    const sync = reader.logSync!
    await connect(reader, replica)
    let readerLog = await open(reader, 'messages', { historyPage: 100 })
    await converged(readerLog)
    // The heads came with the head exchange (the first test left the log with one or two); 99 entries behind the
    // first, and the rest stays on the peers.
    const heads = (await readerLog.log.heads()).length
    expect(sync.stats.blocksReceived).toBe(99)
    expect(await count(readerLog)).toBe(heads + 99)

    const older = await sync.loadOlder(readerLog.address, { limit: 1_000 })
    expect(older).toHaveLength(1_000)
    expect(await count(readerLog)).toBe(heads + 1_099)
    expect(sync.stats.blocksReceived).toBe(1_099)

    // The frontier is kept on disk: the log reopens with the same partial history.
    await readerLog.close()
    readerLog = await open(reader, 'messages', { historyPage: 100 })
    expect(await count(readerLog)).toBe(heads + 1_099)

    while ((await sync.loadOlder(readerLog.address, { limit: 2_000 })).length > 0);
    const order = async (log: EventsDatabase) => {
      const hashes: string[] = []
      for await (const { hash } of log.iterator()) hashes.push(hash)
      return hashes
    }
    expect(await order(readerLog)).toEqual(await order(writerLog))
    expect(sync.stats.blocksReceived).toBe((await count(writerLog)) - heads) // each block fetched once
    await expect(sync.loadOlder(readerLog.address)).resolves.toEqual([])
  },
  BUDGET_MS,
)

it('refuses a partial history without log sync, and older pages of a log without one', async () => {
  const plain = await node()
  const log = await open(plain)
  await expect(plain.logSync!.loadOlder(log.address)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  await expect(open(plain, 'metadata', { historyPage: 0 })).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
  })
})

type Lie = (blocks: { hash: string; bytes: Uint8Array }[], maxBlocks: number) => Uint8Array

/** The replica's log-sync answers, lying in one way (its head exchange stays honest) until the returned restore. */
async function lying(lie: Lie): Promise<() => Promise<void>> {
  await converged(replicaShortLog, writerShortLog)
  await replica.libp2p.unhandle(LOG_SYNC_PROTOCOL)
  await replica.libp2p.handle(LOG_SYNC_PROTOCOL, async (stream: Stream) => {
    try {
      for await (const bytes of unframe(stream, MAX_LOG_SYNC_REQUEST_BYTES, 'request')) {
        const request = decodeLogSyncRequest(bytes)
        const blocks = []
        for (const hash of request.want.slice(0, request.maxBlocks)) {
          const block = await replicaShortLog.log.storage.get(hash)
          if (block !== undefined) blocks.push({ hash, bytes: block })
        }
        stream.send(frame(lie(blocks, request.maxBlocks), MAX_LOG_SYNC_BATCH_BYTES + 8, 'batch'))
      }
    } catch {
      // the reader hung up on us
    }
  })
  return async () => {
    await replica.libp2p.unhandle(LOG_SYNC_PROTOCOL)
    await replica.logSync!.start() // the honest handler again
  }
}

const flipped = (bytes: Uint8Array) => {
  const copy = Uint8Array.from(bytes)
  copy[copy.length - 1]! ^= 1
  return copy
}

it.each([
  [
    'blocks that do not match their CID',
    'LOG_SYNC_BLOCK_MISMATCH',
    (blocks: { hash: string; bytes: Uint8Array }[]) =>
      encodeLogSyncBatch({
        blocks: blocks.map(({ hash, bytes }) => ({ hash, bytes: flipped(bytes) })),
        missing: [],
      }),
  ],
  [
    'more blocks than asked for',
    'LOG_SYNC_PROTOCOL_VIOLATION',
    (blocks: { hash: string; bytes: Uint8Array }[], maxBlocks: number) =>
      encodeLogSyncBatch({ blocks: Array.from({ length: maxBlocks + 1 }, () => blocks[0]!), missing: [] }),
  ],
  ['a batch over the size limit', 'MESSAGE_TOO_LARGE', () => new Uint8Array(MAX_LOG_SYNC_BATCH_BYTES + 1)],
])(
  'cuts off a peer that sends %s, keeps nothing of it, and completes from an honest one',
  async (_, code, lie) => {
    const restore = await lying(lie)
    try {
      const reader = await node()
      const sync = reader.logSync!
      await connect(reader, replica)
      const cutOff = nextEvent<LogSyncCutOff>(sync, 'cut-off')
      const readerLog = await open(reader, 'metadata')
      const { peer, error } = await cutOff
      expect(peer).toBe(replica.libp2p.peerId.toString())
      expect(error.code).toBe(code)
      expect(sync.isCutOff(peer)).toBe(true)
      // Nothing of the lie was stored or joined: the log is empty, or whole if the reader already found the writer.
      expect([0, LIAR_ENTRIES]).toContain(await count(readerLog))

      await connect(reader, writer)
      await converged(readerLog, writerShortLog)
      expect(await count(readerLog)).toBe(LIAR_ENTRIES)
    } finally {
      await restore()
    }
  },
  BUDGET_MS,
)

import type { Stream } from '@libp2p/interface'
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { Entry, type EventsDatabase, type EventsPayload, type LogEntry } from '@orbitdb/core'
import { ed25519KeyPair, isWeshError, randomBytes } from '@wesh/crypto'
import * as dagCbor from '@ipld/dag-cbor'
import { base58btc } from 'multiformats/bases/base58'
import * as Block from 'multiformats/block'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { varint } from 'multiformats'
import { afterEach, expect, it } from 'vitest'
import { signEntry } from '../../../src/index.js'
import {
  LOG_SYNC_PROTOCOL,
  MAX_ENTRY_LINKS,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
} from '../../../src/node/log-sync/constants.js'
import { LogSyncErrorCode } from '../../../src/node/log-sync/errors.js'
import {
  decodeSyncRequest,
  encodeSyncResponse,
  LogSyncEnd,
  type SyncRequest,
} from '../../../src/node/log-sync/frames.js'
import type { LogSyncEvent } from '../../../src/node/log-sync/log-sync.js'
import { linkKeyEncryption } from '../../../src/node/replication-encryption.js'
import type { WeshNode } from '../../../src/node/wesh-node.js'
import { frame } from '../../../src/node/framed-head-exchange.js'
import { Nodes, TestLog, appendMany, connect, untilEntries } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

const ENTRIES = 60

interface Genuine {
  readonly hash: string
  readonly bytes: Uint8Array
  readonly entry: LogEntry<EventsPayload>
}

/** What a lying responder can do: answer walks, with the honest log's blocks at hand. */
interface Liar {
  readonly request: SyncRequest
  readonly lp: LengthPrefixedStream<Stream>
  /** The honest log's blocks, newest first, as an honest responder would send them from the head. */
  readonly genuine: readonly Genuine[]
  batch(blocks: readonly { hash: string; bytes: Uint8Array }[]): Promise<void>
}

/**
 * A node that pretends to hold the log: it offers `head` to OrbitDB's head exchange and answers walks with
 * `lie`. It is a modified node: log sync off, its own handlers instead.
 */
async function startRogue(
  address: string,
  head: Uint8Array,
  genuine: readonly Genuine[],
  lie: (liar: Liar) => Promise<void>,
): Promise<WeshNode> {
  const rogue = await nodes.start({ logSync: false })
  rogue.libp2p.services.pubsub.subscribe(address)
  await rogue.libp2p.handle(`/wesh/heads/1.0.0${address}`, async (stream) => {
    stream.send(frame(head))
    await stream.close()
  })
  await rogue.libp2p.handle(LOG_SYNC_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES })
    try {
      const request = decodeSyncRequest(await lp.read())
      await lie({
        request,
        lp,
        genuine,
        batch: (blocks) =>
          lp.write(
            encodeSyncResponse({
              kind: 'batch',
              blocks: blocks.map(({ hash, bytes }) => ({ cid: CID.parse(hash, base58btc), data: bytes })),
            }),
          ),
      })
    } catch {
      // the victim cut the stream
    }
  })
  return rogue
}

/** A sealed entry of log `logId`, signed by `identity`, linking to `next`. */
async function craft(
  node: WeshNode,
  log: TestLog,
  options: {
    logId: string
    next: string[]
    time: number
    payload?: Uint8Array
    tamper?: boolean
    refs?: string[]
  },
): Promise<{ hash: string; bytes: Uint8Array }> {
  const identity = await node.orbitdb.identities.createIdentity({ id: 'rogue' })
  const entry = await Entry.create(
    identity,
    options.logId,
    { op: 'ADD', key: null, value: options.payload ?? log.entry() },
    undefined,
    { id: identity.publicKey, time: options.time },
    options.next,
    options.refs ?? [],
  )
  const signed = options.tamper
    ? { ...entry, sig: entry.sig.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }
    : entry
  const seal = linkKeyEncryption(log.linkKey)
  return Entry.encode(signed, (bytes) => seal.encrypt(bytes))
}

interface Setup {
  readonly honest: WeshNode
  readonly victim: WeshNode
  readonly honestLog: EventsDatabase
  readonly victimLog: EventsDatabase
  readonly genuine: Genuine[]
  readonly events: LogSyncEvent[]
  /** What the victim's log reported through `onSyncError`. */
  readonly errors: unknown[]
  readonly log: TestLog
}

async function setup(
  victimOptions: Parameters<Nodes['start']>[0] = {},
  history?: { kind: 'partial'; entries: number },
) {
  const log = new TestLog()
  const honest = await nodes.start()
  const victim = await nodes.start(victimOptions)
  const honestLog = await log.open(honest)
  await appendMany(honestLog, log, ENTRIES)
  const genuine: Genuine[] = []
  for await (const entry of honestLog.log.traverse()) {
    genuine.push({
      hash: entry.hash,
      entry,
      bytes: (await honestLog.log.storage.get(entry.hash)) as Uint8Array,
    })
  }
  const events: LogSyncEvent[] = []
  const errors: unknown[] = []
  const victimLog = await log.open(victim, {
    onSyncEvent: (event) => events.push(event),
    onSyncError: (error) => errors.push(error),
    ...(history ? { history } : {}),
  })
  return { honest, victim, honestLog, victimLog, genuine, events, errors, log } satisfies Setup
}

/** The rogue offers a head on top of the honest log and lies; the victim cuts it off, keeps nothing, and then
 * gets the log whole from the honest node. */
async function expectCutOff(
  s: Setup,
  code: string,
  lie: (liar: Liar) => Promise<void>,
  head?: { hash: string; bytes: Uint8Array },
  sent: (liar: Genuine[]) => readonly string[] = () => [],
  held = ENTRIES,
): Promise<void> {
  const top = s.genuine[0] as Genuine
  const offered =
    head ??
    (await craft(s.victim, s.log, {
      logId: s.victimLog.address,
      next: [top.hash],
      time: top.entry.clock.time + 1,
    }))
  const rogue = await startRogue(s.victimLog.address, offered.bytes, s.genuine, lie)
  await connect(s.victim, rogue)
  await expect
    .poll(() => s.events.find((event) => event.type === 'cut-off'), { timeout: 60_000 })
    .toBeDefined()
  const cut = s.events.find((event) => event.type === 'cut-off')
  expect(cut?.type === 'cut-off' && cut.error.code).toBe(code)
  expect(cut?.type === 'cut-off' && cut.peer).toBe(rogue.libp2p.peerId.toString())
  // Nothing it sent is kept.
  for (const hash of sent(s.genuine))
    expect(await s.victim.helia.blockstore.has(CID.parse(hash, base58btc))).toBe(false)
  expect((await s.victimLog.all()).length).toBe(0)
  // An honest peer serves the log; the liar is never asked again.
  await connect(s.victim, s.honest)
  await untilEntries(s.victimLog, held)
  // The honest log as it was (the honest node may have met the rogue since, and its head is a valid entry).
  const honest = s.genuine.map((g) => g.hash).slice(0, held)
  expect(new Set((await s.victimLog.all()).map((e) => e.hash))).toEqual(new Set(honest))
  expect(
    s.events
      .filter((event) => event.type === 'pulled')
      .every((event) => event.peer === s.honest.libp2p.peerId.toString()),
  ).toBe(true)
}

it('refuses a forged head before walking its history: nobody is asked for what it links to', async () => {
  const s = await setup()
  const top = s.genuine[0] as Genuine
  const payload = signEntry(ed25519KeyPair().seed, randomBytes(32)) // signed, but not by the group
  const head = await craft(s.victim, s.log, {
    logId: s.victimLog.address,
    next: [top.hash],
    time: top.entry.clock.time + 1,
    payload,
  })
  let asked = false
  const rogue = await startRogue(s.victimLog.address, head.bytes, s.genuine, () => {
    asked = true
    return Promise.resolve()
  })
  await connect(s.victim, rogue)
  await expect
    .poll(() => s.errors.find((error) => isWeshError(error, LogSyncErrorCode.FORGED_ENTRY)), {
      timeout: 60_000,
    })
    .toMatchObject({ data: { cid: head.hash, check: 'access' } })
  expect(asked).toBe(false)
  expect(s.events).toEqual([])
  expect((await s.victimLog.all()).length).toBe(0)
})

it('cuts off a peer whose block does not match its CID', async () => {
  const s = await setup()
  await expectCutOff(s, LogSyncErrorCode.BLOCK_CID_MISMATCH, async (liar) => {
    const top = liar.genuine[0] as Genuine
    const bytes = new Uint8Array(top.bytes)
    bytes[bytes.length - 1] = (bytes.at(-1) as number) ^ 1
    await liar.batch([{ hash: top.hash, bytes }])
  })
})

it('cuts off a peer that sends a block nobody asked for', async () => {
  const s = await setup()
  await expectCutOff(s, LogSyncErrorCode.UNEXPECTED_BLOCK, async (liar) => {
    await liar.batch([liar.genuine[30] as Genuine])
  })
})

it('cuts off a peer that sends a block twice, and deletes the genuine blocks it sent before', async () => {
  const s = await setup()
  await expectCutOff(
    s,
    LogSyncErrorCode.UNEXPECTED_BLOCK,
    async (liar) => {
      await liar.batch(liar.genuine.slice(0, 10))
      await liar.batch(liar.genuine.slice(9, 10)) // within the credit of 4 batches
    },
    undefined,
    (genuine) => genuine.slice(0, 10).map((g) => g.hash),
  )
})

it('cuts off a peer that sends an entry of another log', async () => {
  const s = await setup()
  const other = await craft(s.victim, s.log, {
    logId: '/orbitdb/zdpuAnotherLogOfTheSameGroup',
    next: [],
    time: 1,
  })
  const head = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [other.hash], time: 2 })
  await expectCutOff(s, LogSyncErrorCode.ENTRY_FROM_ANOTHER_LOG, (liar) => liar.batch([other]), head)
})

it('cuts off a peer that sends an entry the access controller refuses', async () => {
  const s = await setup()
  const payload = signEntry(ed25519KeyPair().seed, randomBytes(32)) // signed, but not by the group
  const forged = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [], time: 1, payload })
  const head = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [forged.hash], time: 2 })
  await expectCutOff(s, LogSyncErrorCode.FORGED_ENTRY, (liar) => liar.batch([forged]), head)
})

it('cuts off a peer that sends an entry whose writer signature fails', async () => {
  const s = await setup()
  const forged = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [], time: 1, tamper: true })
  const head = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [forged.hash], time: 2 })
  await expectCutOff(s, LogSyncErrorCode.FORGED_ENTRY, (liar) => liar.batch([forged]), head)
})

it('cuts off a peer that sends a block that is not a sealed entry', async () => {
  const s = await setup()
  const { cid, bytes } = await Block.encode({ value: { not: 'an entry' }, codec: dagCbor, hasher: sha256 })
  const junk = { hash: cid.toString(base58btc), bytes }
  const head = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [junk.hash], time: 2 })
  await expectCutOff(s, LogSyncErrorCode.MALFORMED_ENTRY, (liar) => liar.batch([junk]), head)
})

it('cuts off a peer that sends a batch over the size asked for', async () => {
  const s = await setup({ logSync: { batchBytes: 1_024 } })
  await expectCutOff(s, LogSyncErrorCode.OVERSIZED_BATCH, (liar) => liar.batch(liar.genuine.slice(0, 3)))
})

it('cuts off a peer that sends more batches than the credit granted', async () => {
  const s = await setup({ logSync: { credit: 1 } })
  await expectCutOff(s, LogSyncErrorCode.CREDIT_EXCEEDED, async (liar) => {
    const frames = [liar.genuine.slice(0, 1), liar.genuine.slice(1, 2)].map((blocks) =>
      encodeSyncResponse({
        kind: 'batch',
        blocks: blocks.map(({ hash, bytes }) => ({ cid: CID.parse(hash, base58btc), data: bytes })),
      }),
    )
    await liar.lp.writeV(frames) // both at once: the second without waiting for credit
  })
})

it('cuts off a peer that sends more entries than the limit asked for', async () => {
  const s = await setup({}, { kind: 'partial', entries: 32 })
  await expectCutOff(
    s,
    LogSyncErrorCode.LIMIT_EXCEEDED,
    async (liar) => {
      expect(liar.request.limit).toBe(31) // the head makes 32
      await liar.batch(liar.genuine.slice(0, 32))
    },
    undefined,
    () => [],
    32,
  )
})

it('cuts off a peer that announces a frame over the limit', async () => {
  const s = await setup()
  await expectCutOff(s, LogSyncErrorCode.FRAME_TOO_LARGE, async (liar) => {
    const stream = liar.lp.unwrap()
    const closed = new Promise((resolve) => stream.addEventListener('close', resolve, { once: true }))
    stream.send(
      varint
        .encodeTo(MAX_RESPONSE_BYTES + 1, new Uint8Array(8))
        .subarray(0, varint.encodingLength(MAX_RESPONSE_BYTES + 1)),
    )
    await closed // the victim resets the stream on reading the length alone
  })
})

it('cuts off a peer that sends a malformed frame', async () => {
  const s = await setup()
  await expectCutOff(s, LogSyncErrorCode.MALFORMED_FRAME, async (liar) => {
    await liar.lp.write(encodeSyncResponse({ kind: 'end', end: LogSyncEnd.LIMIT_REACHED })) // no limit was asked for
  })
})

async function randomLinks(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () =>
      CID.createV1(0x71, await sha256.digest(randomBytes(8))).toString(base58btc),
    ),
  )
}

it(`takes an entry with ${MAX_ENTRY_LINKS} links, and cuts off a peer that sends one with more`, async () => {
  const s = await setup()
  const links = await randomLinks(MAX_ENTRY_LINKS)
  const wide = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [], refs: links, time: 1 })
  const head = await craft(s.victim, s.log, { logId: s.victimLog.address, next: [wide.hash], time: 2 })
  const rogue = await startRogue(s.victimLog.address, head.bytes, s.genuine, async (liar) => {
    // It holds the wide entry, and none of what it links to.
    if (liar.request.want.some((cid) => cid.toString(base58btc) === wide.hash)) await liar.batch([wide])
    const end = liar.request.want.length === 1 ? LogSyncEnd.COMPLETE : LogSyncEnd.NOT_FOUND
    await liar.lp.write(encodeSyncResponse({ kind: 'end', end }))
  })
  await connect(s.victim, rogue)
  await expect
    .poll(() => s.events.find((event) => event.type === 'pulled'), { timeout: 60_000 })
    .toMatchObject({ received: 1 })
  expect(s.events.some((event) => event.type === 'cut-off')).toBe(false)
  expect((await s.victimLog.all()).length).toBe(0) // its links are nowhere: the join waits

  const s2 = await setup()
  const wider = await craft(s2.victim, s2.log, {
    logId: s2.victimLog.address,
    next: [],
    refs: [...links, ...(await randomLinks(1))],
    time: 1,
  })
  const head2 = await craft(s2.victim, s2.log, { logId: s2.victimLog.address, next: [wider.hash], time: 2 })
  await expectCutOff(s2, LogSyncErrorCode.MALFORMED_ENTRY, (liar) => liar.batch([wider]), head2)
})

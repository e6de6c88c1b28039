// Wesh groups on real nodes next to raw @orbitdb/core on the same nodes, in the same run (issue 4's evidence):
// two in-process nodes over TCP on 127.0.0.1, LevelDB in temp directories, ~1 KiB messages.
//  - live: the writer appends M messages one after the other; time until the reader has all of them
//    (Wesh: read and decrypted; raw: entries in the reader's log).
//  - catch-up: a member that was offline comes back to N new messages; time until it has all of them.
//    The same N entries are caught up twice in the run: by a node with log sync (/wesh/log-sync/1.0.0) and by one
//    without it (stock OrbitDB replication, block by block over bitswap); both read and decrypt every message.
//  - memory: heap and RSS growth per group session open on one node, and the heap and RSS peaks of a catch-up.
// Run: `pnpm bench:sync` (BENCH_SIZES=1000,10000 by default; BENCH_LIVE=500; BENCH_RAW=0 skips raw OrbitDB rows,
// BENCH_RAW_MAX_SIZE=N skips them for larger sizes).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventsDatabase } from '@orbitdb/core'
import { randomBytes } from '@wesh/crypto'
import { AccountKeys, contactGroup } from '@wesh/groups'
import {
  GroupSession,
  MemorySecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)
const LIVE = Number(process.env.BENCH_LIVE ?? 500)
const RAW = process.env.BENCH_RAW !== '0'
const RAW_MAX_SIZE = Number(process.env.BENCH_RAW_MAX_SIZE ?? Infinity)
/**
 * Stock catch-up is slow (minutes for 10 000): with BENCH_STOCK_LIMIT_S it is stopped after that many seconds and
 * reported as "not done". Stock replication joins the whole history at once, so a stopped run has no rate to
 * extrapolate from.
 */
const STOCK_LIMIT_MS = Number(process.env.BENCH_STOCK_LIMIT_S ?? Infinity) * 1000
const MESSAGE = randomBytes(1000)
const MEMORY_GROUPS = 50
const directories: string[] = []

async function startNode(directory?: string, logSync = true): Promise<WeshNode> {
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'wesh-bench-')))
  if (directory === undefined) directories.push(dir)
  return createWeshNode({
    directory: dir,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
    ...(logSync ? {} : { logSync: false }),
  })
}
const connect = (a: WeshNode, b: WeshNode) => a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
const seconds = (ms: number) => (ms / 1000).toFixed(2)
const progress = (text: string) => process.stderr.write(`${text}\n`)

/** Resolves once the log holds `count` entries, checked on each update (OrbitDB emits one per joined head). */
async function untilEntries(log: EventsDatabase, count: number): Promise<void> {
  let have = (await log.all()).length
  while (have < count) {
    await new Promise((resolve) => log.events.once('update', resolve))
    have = (await log.all()).length
  }
}

/** Resolves once `session` has read `count` messages in all, or at `deadline`; with how many it has read. */
async function untilMessages(session: GroupSession, count: number, deadline = Infinity): Promise<number> {
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal })
  let have = (await session.messages()).length
  if (have >= count) return have
  const timer = Number.isFinite(deadline)
    ? setTimeout(() => {
        controller.abort()
      }, deadline - performance.now())
    : undefined
  const iterator = stream[Symbol.asyncIterator]()
  while (have < count && !(await iterator.next()).done) have += 1
  clearTimeout(timer)
  controller.abort()
  return have
}

interface Pair {
  readonly writer: WeshNode
  readonly reader: WeshNode
  readonly readerDir: string
  stop(): Promise<void>
}
async function pair(): Promise<Pair> {
  const writer = await startNode()
  const readerDir = await mkdtemp(join(tmpdir(), 'wesh-bench-'))
  directories.push(readerDir)
  const reader = await startNode(readerDir)
  await connect(reader, writer)
  return {
    writer,
    reader,
    readerDir,
    async stop() {
      await writer.stop()
      await reader.stop()
    },
  }
}

const alice = AccountKeys.create()
const bob = AccountKeys.create()
async function openWesh(node: WeshNode, account: AccountKeys, peer: AccountKeys, secrets: MemorySecretStore) {
  const { group } = contactGroup(account.accountSeed(), peer.accountId)
  return GroupSession.open({
    node,
    secrets,
    group,
    ...membershipOf(account, group),
    knownMembers: [peer.accountId],
  })
}

async function rawLive(count: number): Promise<number> {
  const nodes = await pair()
  const { writer, reader } = nodes
  const log = await writer.orbitdb.open('bench-live', { type: 'events' })
  const replica = await reader.orbitdb.open(log.address)
  const start = performance.now()
  for (let i = 0; i < count; i++) await log.add(MESSAGE)
  await untilEntries(replica, count)
  const ms = performance.now() - start
  await nodes.stop()
  return ms
}

async function weshLive(count: number): Promise<number> {
  const nodes = await pair()
  const { writer, reader } = nodes
  const sending = await openWesh(writer, alice, bob, new MemorySecretStore())
  const reading = await openWesh(reader, bob, alice, new MemorySecretStore())
  await reading.waitFor((s) => s.state.chainKeys.size > 0) // joined: Alice's chain reached Bob
  const start = performance.now()
  const done = untilMessages(reading, count)
  for (let i = 0; i < count; i++) await sending.send(MESSAGE)
  await done
  const ms = performance.now() - start
  await sending.close()
  await reading.close()
  await nodes.stop()
  return ms
}

async function rawCatchUp(count: number): Promise<number> {
  const nodes = await pair()
  const { writer, reader, readerDir } = nodes
  const log = await writer.orbitdb.open(`bench-catch-up-${count}`, { type: 'events' })
  const address = log.address
  await log.add(MESSAGE)
  let replica = await reader.orbitdb.open(address)
  await untilEntries(replica, 1)
  await reader.stop()
  for (let i = 0; i < count; i++) await log.add(MESSAGE)
  progress(`  raw: ${count} written while the reader is offline`)
  const back = await startNode(readerDir)
  await connect(back, writer)
  const start = performance.now()
  replica = await back.orbitdb.open(address)
  await untilEntries(replica, count + 1)
  const ms = performance.now() - start
  await back.stop()
  await nodes.stop()
  return ms
}

interface CatchUp {
  readonly ms: number
  /** The run was stopped at BENCH_STOCK_LIMIT_S before every message was read. */
  readonly stopped?: boolean
  /** Heap and RSS growth at their peak while catching up, in MiB. */
  readonly heapMiB: number
  readonly rssMiB: number
}

/** Samples heap and RSS while `run` runs; returns the run's time and the peaks above the start. */
async function measured(run: () => Promise<void>): Promise<CatchUp> {
  globalThis.gc?.()
  const before = process.memoryUsage()
  let heap = before.heapUsed
  let rss = before.rss
  const sampler = setInterval(() => {
    const now = process.memoryUsage()
    heap = Math.max(heap, now.heapUsed)
    rss = Math.max(rss, now.rss)
  }, 50)
  const start = performance.now()
  try {
    await run()
  } finally {
    clearInterval(sampler)
  }
  const ms = performance.now() - start
  const mib = (bytes: number) => bytes / 1024 / 1024
  return { ms, heapMiB: mib(heap - before.heapUsed), rssMiB: mib(rss - before.rss) }
}

/**
 * Two of Bob's nodes read Alice's first message, go offline, and Alice writes `count` more. Each comes back in
 * turn — one with log sync, one without — and is timed until its session has read every message.
 */
async function weshCatchUp(count: number): Promise<{ synced: CatchUp; stock: CatchUp }> {
  const writer = await startNode()
  const readers = [true, false].map((logSync) => ({ logSync, secrets: new MemorySecretStore(), dir: '' }))
  const sending = await openWesh(writer, alice, bob, new MemorySecretStore())
  await sending.send(MESSAGE)
  for (const reader of readers) {
    reader.dir = await mkdtemp(join(tmpdir(), 'wesh-bench-'))
    directories.push(reader.dir)
    const node = await startNode(reader.dir, reader.logSync)
    await connect(node, writer)
    const reading = await openWesh(node, bob, alice, reader.secrets)
    await untilMessages(reading, 1)
    await reading.close()
    await node.stop()
  }
  for (let i = 0; i < count; i++) await sending.send(MESSAGE)
  progress(`  wesh: ${count} written while the readers are offline`)
  const results: CatchUp[] = []
  for (const reader of readers) {
    const back = await startNode(reader.dir, reader.logSync)
    await connect(back, writer)
    let reading: GroupSession | undefined
    let read = count + 1
    const limit = reader.logSync ? Infinity : STOCK_LIMIT_MS
    const run = await measured(async () => {
      const deadline = performance.now() + limit
      reading = await openWesh(back, bob, alice, reader.secrets)
      read = await untilMessages(reading, count + 1, deadline)
    })
    results.push(read > count ? run : { ...run, stopped: true })
    progress(`  wesh ${reader.logSync ? 'with' : 'without'} log sync: ${seconds(results.at(-1)!.ms)} s`)
    await reading?.close()
    await back.stop()
  }
  await sending.close()
  await writer.stop()
  return { synced: results[0]!, stock: results[1]! }
}

async function memoryPerGroup(groups: number): Promise<{ heapKiB: number; rssKiB: number }> {
  const node = await startNode()
  const secrets = new MemorySecretStore()
  globalThis.gc?.()
  const before = process.memoryUsage()
  const sessions: GroupSession[] = []
  for (let i = 0; i < groups; i++) sessions.push(await openWesh(node, alice, AccountKeys.create(), secrets))
  globalThis.gc?.()
  const after = process.memoryUsage()
  for (const session of sessions) await session.close()
  await node.stop()
  return {
    heapKiB: (after.heapUsed - before.heapUsed) / 1024 / groups,
    rssKiB: (after.rss - before.rss) / 1024 / groups,
  }
}

const rows: string[] = []
try {
  // First, before other phases leave garbage behind that a later collection would subtract.
  progress(`memory: ${MEMORY_GROUPS} group sessions on one node`)
  const memory = await memoryPerGroup(MEMORY_GROUPS)
  progress(`live: ${LIVE} messages`)
  const raw = await rawLive(LIVE)
  const wesh = await weshLive(LIVE)
  rows.push(
    `| live, ${LIVE} messages | ${seconds(wesh)} s (${Math.round(LIVE / (wesh / 1000))}/s) | ${seconds(raw)} s (${Math.round(LIVE / (raw / 1000))}/s) | ${(wesh / raw).toFixed(2)}x |`,
  )
  const catchUps: string[] = []
  for (const size of SIZES) {
    progress(`catch-up: ${size} messages`)
    const { synced, stock } = await weshCatchUp(size)
    const rate = (run: CatchUp) =>
      run.stopped === true
        ? `not done after ${seconds(run.ms)} s (stopped)`
        : `${seconds(run.ms)} s (${Math.round(size / (run.ms / 1000))}/s)`
    const memory = (run: CatchUp) => `${run.heapMiB.toFixed(0)} / ${run.rssMiB.toFixed(0)} MiB`
    catchUps.push(
      `| ${size} | ${rate(synced)} | ${rate(stock)} | ${stock.stopped === true ? `> ${(stock.ms / synced.ms).toFixed(1)}` : (stock.ms / synced.ms).toFixed(1)}x | ${memory(synced)} | ${memory(stock)} |`,
    )
    if (RAW && size <= RAW_MAX_SIZE) {
      const rawMs = await rawCatchUp(size)
      rows.push(
        `| catch-up, ${size} messages | ${seconds(synced.ms)} s (${Math.round(size / (synced.ms / 1000))}/s) | ${seconds(rawMs)} s (${Math.round(size / (rawMs / 1000))}/s) | ${(synced.ms / rawMs).toFixed(2)}x |`,
      )
    }
  }
  console.log(
    '\n| @wesh/groups on two nodes, ~1 KiB messages | Wesh (decrypted) | raw @orbitdb/core events | Wesh / raw |',
  )
  console.log('| --- | --- | --- | --- |')
  for (const row of rows) console.log(row)
  console.log(
    '\n| catch-up of N messages, read and decrypted | with log sync | stock OrbitDB replication | speed-up | peak heap / RSS growth, log sync | same, stock |',
  )
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const row of catchUps) console.log(row)
  console.log(
    `\nMemory per open group session (${MEMORY_GROUPS} on one node): heap ${memory.heapKiB.toFixed(0)} KiB, RSS ${memory.rssKiB.toFixed(0)} KiB`,
  )
} finally {
  for (const dir of directories) await rm(dir, { recursive: true, force: true })
}

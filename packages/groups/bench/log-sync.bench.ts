// Catch-up with /wesh/log-sync/1.0.0 (issue 11) next to stock OrbitDB replication of the same entries, in the
// same run: Alice writes N ~1 KiB messages to a contact group; then Bob, on a fresh node, opens the group and
// reads them all (entries fetched, checked, joined, and every message decrypted) — once with log sync, once with
// it off (OrbitDB fetching the log one block at a time over bitswap). Two in-process nodes over TCP on
// 127.0.0.1, LevelDB in temp directories. Memory: the process's peak RSS and heap above what it used before Bob
// opened the group.
// Run: `pnpm bench:log-sync` (BENCH_SIZES=1000,10000,50000 by default; BENCH_STOCK_MAX skips stock runs above it).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from '@wesh/crypto'
import { AccountKeys, contactGroup } from '@wesh/groups'
import {
  GroupSession,
  MemorySecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number)
const STOCK_MAX = Number(process.env.BENCH_STOCK_MAX ?? Infinity)
const MESSAGE = randomBytes(1000)
const directories: string[] = []
const progress = (text: string) => process.stderr.write(`${text}\n`)

async function startNode(logSync: boolean): Promise<WeshNode> {
  const directory = await mkdtemp(join(tmpdir(), 'wesh-bench-'))
  directories.push(directory)
  return createWeshNode({
    directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
    ...(logSync ? {} : { logSync: false as const }),
  })
}

function openChat(node: WeshNode, account: AccountKeys, peer: AccountKeys): Promise<GroupSession> {
  const { group } = contactGroup(account.accountSeed(), peer.accountId)
  return GroupSession.open({
    node,
    secrets: new MemorySecretStore(),
    group,
    ...membershipOf(account, group),
    knownMembers: [peer.accountId],
  })
}

/** Resolves once `session` has read `count` messages. */
async function untilRead(session: GroupSession, count: number): Promise<void> {
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal })
  let read = (await session.messages()).length
  const iterator = stream[Symbol.asyncIterator]()
  while (read < count && !(await iterator.next()).done) read += 1
  controller.abort()
}

interface CatchUp {
  readonly ms: number
  readonly rssMiB: number
  readonly heapMiB: number
}

/** Bob opens the group on a fresh node connected to Alice's and reads all `count` messages. */
async function catchUp(
  writer: WeshNode,
  alice: AccountKeys,
  bob: AccountKeys,
  count: number,
  logSync: boolean,
): Promise<CatchUp> {
  const reader = await startNode(logSync)
  await reader.libp2p.dial(writer.libp2p.getMultiaddrs()[0]!)
  globalThis.gc?.()
  const before = process.memoryUsage()
  let peak = { rss: before.rss, heapUsed: before.heapUsed }
  const sampler = setInterval(() => {
    const now = process.memoryUsage()
    peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) }
  }, 100)
  const start = performance.now()
  const session = await openChat(reader, bob, alice)
  await untilRead(session, count)
  const ms = performance.now() - start
  clearInterval(sampler)
  await session.close()
  await reader.stop()
  const MiB = 1024 * 1024
  return { ms, rssMiB: (peak.rss - before.rss) / MiB, heapMiB: (peak.heapUsed - before.heapUsed) / MiB }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2)
const rate = (count: number, ms: number) => Math.round(count / (ms / 1000)).toLocaleString('en-US')
const rows: string[] = []
try {
  for (const size of SIZES) {
    const alice = AccountKeys.create()
    const bob = AccountKeys.create()
    const writer = await startNode(true)
    const chat = await openChat(writer, alice, bob)
    const writing = performance.now()
    for (let i = 0; i < size; i++) {
      await chat.send(MESSAGE)
      if ((i + 1) % 5_000 === 0) progress(`  ${i + 1} of ${size} written`)
    }
    progress(`${size} messages written in ${seconds(performance.now() - writing)} s`)
    const ours = await catchUp(writer, alice, bob, size, true)
    progress(`  log sync: ${seconds(ours.ms)} s`)
    const stock = size <= STOCK_MAX ? await catchUp(writer, alice, bob, size, false) : undefined
    if (stock) progress(`  stock: ${seconds(stock.ms)} s`)
    await chat.close()
    await writer.stop()
    rows.push(
      [
        size.toLocaleString('en-US'),
        `${seconds(ours.ms)} s (${rate(size, ours.ms)}/s)`,
        `${((ours.ms / size) * 1000).toFixed(0)} ms`,
        stock ? `${seconds(stock.ms)} s (${rate(size, stock.ms)}/s)` : 'not run',
        stock ? `${(stock.ms / ours.ms).toFixed(1)}x` : '–',
        `${ours.rssMiB.toFixed(0)} / ${ours.heapMiB.toFixed(0)} MiB`,
        stock ? `${stock.rssMiB.toFixed(0)} / ${stock.heapMiB.toFixed(0)} MiB` : '–',
      ].join(' | '),
    )
  }
  console.log(
    '\n| messages (~1 KiB) | log sync, all read | per 1 000 | stock OrbitDB, all read | speed-up | memory, log sync (peak RSS / heap) | memory, stock |',
  )
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const row of rows) console.log(`| ${row} |`)
} finally {
  for (const directory of directories) await rm(directory, { recursive: true, force: true })
}

// Issue 8's benchmark, on real nodes over TCP on 127.0.0.1 with LevelDB in temp directories, ~1 KiB messages:
//  - catch-up: Alice writes N messages in her contact group with Bob while a replication server keeps it; then a
//    fresh device of Bob reads all N, once from Alice herself (a member peer: the same-run baseline) and once,
//    with Alice offline, from the replication server alone. Time from dialling to the N-th message decrypted.
//  - memory: heap and RSS of a replication server process (a child of this one, so the writer's memory is not
//    counted) with no group (the baseline), with 100 replicated groups, and with those groups holding messages.
// Run: `pnpm build && pnpm bench` (Node 24 strips the types; `@wesh/replication` resolves to this package's dist).
// BENCH_SIZES (default 1000,10000), BENCH_GROUPS (100) and BENCH_GROUP_MESSAGES (10) change the sizes.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, contactGroup, type Group } from '@wesh/groups'
import {
  GroupSession,
  MemorySecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'
import {
  groupIdFromHex,
  replicationGroupFromJson,
  replicationGroupOf,
  replicationGroupToJson,
  type ReplicationGroupJson,
} from '@wesh/replication'
import { createReplicationNode, type ReplicationNode } from '@wesh/replication/node'

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100)
const GROUP_MESSAGES = Number(process.env.BENCH_GROUP_MESSAGES ?? 10)
const MESSAGE = randomBytes(1000)
const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' } as const
const directories: string[] = []
const progress = (text: string): void => {
  process.stderr.write(`${text}\n`)
}
const seconds = (ms: number): string => (ms / 1000).toFixed(2)
const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)

async function tempDirectory(): Promise<string> {
  const directory = await mkdtemp(join(os.tmpdir(), 'wesh-repl-bench-'))
  directories.push(directory)
  return directory
}

async function startNode(): Promise<WeshNode> {
  return createWeshNode({ directory: await tempDirectory(), network: LOOPBACK })
}

async function startReplica(directory?: string): Promise<ReplicationNode> {
  return createReplicationNode({ directory: directory ?? (await tempDirectory()), network: LOOPBACK })
}

/** `account`'s side of its contact group with `peer`, with its chain sent to the peer at once. */
function openContact(node: WeshNode, account: AccountKeys, peer: AccountKeys): Promise<GroupSession> {
  const { group } = contactGroup(account.accountSeed(), peer.accountId)
  return GroupSession.open({
    node,
    secrets: new MemorySecretStore(),
    group,
    ...membershipOf(account, group),
    knownMembers: [peer.accountId],
  })
}

/** Resolves once `session` has read `count` messages in all. */
async function untilMessages(session: GroupSession, count: number): Promise<void> {
  const controller = new AbortController()
  const updates = session.subscribe({ signal: controller.signal })[Symbol.asyncIterator]()
  let have = (await session.messages()).length
  while (have < count && (await updates.next()).done !== true) have += 1
  controller.abort()
}

/** A fresh device of Bob dials `source` only and reads the `count` messages of the group; milliseconds taken. */
async function bobCatchesUp(bob: AccountKeys, alice: AccountKeys, source: WeshNode, count: number) {
  const node = await startNode()
  const start = performance.now()
  await node.libp2p.dial(source.libp2p.getMultiaddrs()[0]!)
  const session = await openContact(node, bob, alice)
  await untilMessages(session, count)
  const ms = performance.now() - start
  const peers = node.libp2p.getConnections().map((connection) => connection.remotePeer.toString())
  if (peers.some((peer) => peer !== source.libp2p.peerId.toString()))
    throw new Error('read from another peer')
  await session.close()
  await node.stop()
  return ms
}

async function catchUp(size: number): Promise<{ replicaMs: number; peerMs: number }> {
  const [alice, bob] = [AccountKeys.create(), AccountKeys.create()]
  const directory = await tempDirectory()
  let replica = await startReplica(directory)
  const writer = await startNode()
  const chat = await openContact(writer, alice, bob)
  await replica.add(replicationGroupOf(chat.group))
  await writer.libp2p.dial(replica.node.libp2p.getMultiaddrs()[0]!)
  for (let i = 1; i <= size; i++) {
    await chat.send(MESSAGE)
    if (i % 1000 === 0) progress(`  ${i} written`)
  }
  await replica.waitFor(chat.group.publicKey, (status) => status.messages.entries === size)
  // Stopped while Bob reads from Alice, or Bob would find it too (rendezvous of the group's logs).
  await replica.stop()
  progress(`  the replication server holds all ${size}; Bob reads from Alice`)
  const peerMs = await bobCatchesUp(bob, alice, writer, size)
  await chat.close()
  await writer.stop()
  progress(`  Alice is offline; Bob reads from the replication server`)
  replica = await startReplica(directory)
  const replicaMs = await bobCatchesUp(bob, alice, replica.node, size)
  await replica.stop()
  return { replicaMs, peerMs }
}

// The replication server process of the memory phase: requests and answers over the IPC channel.
type ToServer =
  | { type: 'add'; groups: ReplicationGroupJson[] }
  | { type: 'wait'; groupIds: string[]; messages: number }
  | { type: 'measure' }
  | { type: 'stop' }
type FromServer =
  { type: 'ready'; address: string } | { type: 'done' } | { type: 'memory'; heapUsed: number; rss: number }

async function serveMemoryChild(): Promise<void> {
  const replica = await startReplica()
  const send = (message: FromServer) => process.send?.(message)
  process.on('message', (message: ToServer) => {
    void (async () => {
      if (message.type === 'add') {
        for (const json of message.groups) await replica.add(replicationGroupFromJson(json))
        send({ type: 'done' })
      } else if (message.type === 'wait') {
        for (const id of message.groupIds) {
          await replica.waitFor(groupIdFromHex(id), (s) => s.messages.entries >= message.messages)
        }
        send({ type: 'done' })
      } else if (message.type === 'measure') {
        globalThis.gc?.()
        const { heapUsed, rss } = process.memoryUsage()
        send({ type: 'memory', heapUsed, rss })
      } else {
        await replica.stop()
        for (const directory of directories) await rm(directory, { recursive: true, force: true })
        process.exit(0)
      }
    })()
  })
  send({ type: 'ready', address: replica.node.libp2p.getMultiaddrs()[0]!.toString() })
}

interface Memory {
  heapUsed: number
  rss: number
}

async function serverMemory(): Promise<{ empty: Memory; added: Memory; filled: Memory }> {
  const child: ChildProcess = fork(process.argv[1]!, [], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, BENCH_ROLE: 'replication-server' },
  })
  const next = <T extends FromServer['type']>(type: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
      child.once('message', (message: FromServer) => {
        if (message.type === type) resolve(message as Extract<FromServer, { type: T }>)
        else reject(new Error(`expected ${type}, got ${message.type}`))
      })
    })
  const ask = <T extends FromServer['type']>(message: ToServer, type: T) => {
    const answer = next(type)
    child.send(message)
    return answer
  }
  const { address } = await next('ready')
  const measure = async (): Promise<Memory> => {
    const { heapUsed, rss } = await ask({ type: 'measure' }, 'memory')
    return { heapUsed, rss }
  }
  try {
    const empty = await measure()
    const alice = AccountKeys.create()
    const peers = Array.from({ length: GROUPS }, () => AccountKeys.create())
    const groups: Group[] = peers.map((peer) => contactGroup(alice.accountSeed(), peer.accountId).group)
    await ask(
      { type: 'add', groups: groups.map((g) => replicationGroupToJson(replicationGroupOf(g))) },
      'done',
    )
    const added = await measure()
    progress(`  ${GROUPS} groups replicated; Alice writes ${GROUP_MESSAGES} messages in each`)
    const writer = await startNode()
    await writer.libp2p.dial(multiaddr(address))
    const sessions: GroupSession[] = []
    for (const peer of peers) {
      const session = await openContact(writer, alice, peer)
      sessions.push(session)
      for (let i = 0; i < GROUP_MESSAGES; i++) await session.send(MESSAGE)
    }
    const groupIds = groups.map((group) => toHex(group.publicKey))
    await ask({ type: 'wait', groupIds, messages: GROUP_MESSAGES }, 'done')
    const filled = await measure()
    for (const session of sessions) await session.close()
    await writer.stop()
    return { empty, added, filled }
  } finally {
    child.send({ type: 'stop' } satisfies ToServer)
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

async function main(): Promise<void> {
  const catchUpRows: string[] = []
  progress(`memory: a replication server process with ${GROUPS} groups`)
  const memory = await serverMemory()
  for (const size of SIZES) {
    progress(`catch-up: ${size} messages`)
    const { replicaMs, peerMs } = await catchUp(size)
    const rate = (ms: number) => `${Math.round(size / (ms / 1000))}/s`
    catchUpRows.push(
      `| catch-up, ${size.toLocaleString('en-US')} messages | ${seconds(replicaMs)} s (${rate(replicaMs)}) | ${seconds(peerMs)} s (${rate(peerMs)}) | ${(replicaMs / peerMs).toFixed(2)}x |`,
    )
  }
  const growth = (at: Memory, what: 'heapUsed' | 'rss') =>
    `${mib(at[what])} MiB (+${mib(at[what] - memory.empty[what])} MiB, ${((at[what] - memory.empty[what]) / 1024 / GROUPS).toFixed(0)} KiB/group)`
  console.log(
    `\n## @wesh/replication\n\n${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
  )
  console.log(
    '| Bob, a fresh device, reads ~1 KiB messages | from the replication server (Alice offline) | from Alice, a member peer (baseline) | server / peer |',
  )
  console.log('| --- | --- | --- | --- |')
  for (const row of catchUpRows) console.log(row)
  console.log('\n| replication server process | heap used | RSS |')
  console.log('| --- | --- | --- |')
  console.log(`| no group (baseline) | ${mib(memory.empty.heapUsed)} MiB | ${mib(memory.empty.rss)} MiB |`)
  console.log(
    `| ${GROUPS} groups replicated, empty | ${growth(memory.added, 'heapUsed')} | ${growth(memory.added, 'rss')} |`,
  )
  console.log(
    `| ${GROUPS} groups, ${GROUP_MESSAGES} messages each | ${growth(memory.filled, 'heapUsed')} | ${growth(memory.filled, 'rss')} |`,
  )
}

try {
  if (process.env.BENCH_ROLE === 'replication-server') await serveMemoryChild()
  else await main()
} finally {
  if (process.env.BENCH_ROLE !== 'replication-server') {
    for (const directory of directories) await rm(directory, { recursive: true, force: true })
  }
}

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ed25519KeyPair, randomBytes, toHex } from '@wesh/crypto'
import { signEntry, verifyEntry } from '../../src/index.js'
import { afterEach, expect, it } from 'vitest'
import { createWeshNode, type WeshNode } from '../../src/node/wesh-node.js'
import { Events, type EventsDatabase } from '@orbitdb/core'
import { CID } from 'multiformats/cid'
import { linkKeyEncryption } from '../../src/node/replication-encryption.js'
import { delegate } from '../../src/node/delegate.js'
import { withFramedHeadExchange } from '../../src/node/framed-head-exchange.js'
import { openGroupLog } from '../../src/node/group-log.js'

const nodes: WeshNode[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function node(directory?: string, options: { logSync?: false } = {}): Promise<WeshNode> {
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'wesh-node-')))
  if (!directory) dirs.push(dir)
  const created = await createWeshNode({
    ...options,
    directory: dir,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' },
  })
  nodes.push(created)
  return created
}

const groupKey = ed25519KeyPair()
const groupId = randomBytes(32)
const linkKey = randomBytes(32)
const signed = (payload: Uint8Array, seed = groupKey.seed) => signEntry(seed, payload)
const isGenuine = (bytes: Uint8Array) => {
  try {
    verifyEntry(groupKey.publicKey, bytes)
    return true
  } catch {
    return false
  }
}

function open(on: WeshNode, options: { identityId?: string; onRejected?: () => void } = {}) {
  return on.openLog({
    name: `${toHex(groupId)}_wesh_group_messages`,
    groupId,
    signPublicKey: groupKey.publicKey,
    linkKey,
    identityId: options.identityId ?? toHex(randomBytes(16)),
    ...(options.onRejected ? { onRejected: options.onRejected } : {}),
  })
}

async function until(db: EventsDatabase, count: number): Promise<void> {
  if ((await db.all()).length >= count) return
  await new Promise<void>((resolve) => {
    const check = () => {
      void db.all().then((all) => {
        if (all.length >= count) {
          db.events.off('update', check)
          resolve()
        }
      })
    }
    db.events.on('update', check)
  })
}

it('replicates a group log between two nodes and keeps it across a restart', async () => {
  const a = await node()
  const bDir = await mkdtemp(join(tmpdir(), 'wesh-node-'))
  dirs.push(bDir)
  let b = await node(bDir)
  const logA = await open(a)
  const identityB = toHex(randomBytes(16))
  const logB = await open(b, { identityId: identityB })
  expect(logB.address).toBe(logA.address)
  for (let i = 0; i < 50; i++) await logA.add(signed(Uint8Array.of(i)))
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
  await until(logB, 50)
  expect((await logB.all()).length).toBe(50)

  await b.stop()
  nodes.splice(nodes.indexOf(b), 1)
  b = await node(bDir)
  const reopened = await open(b, { identityId: identityB })
  expect((await reopened.all()).length).toBe(50)
})

it('refuses entries that are not signed by the group key', async () => {
  const honest = await node()
  const rogue = await node()
  let onRejected = () => {}
  const rejected = new Promise<void>((resolve) => (onRejected = resolve))
  const logHonest = await open(honest, { onRejected: () => onRejected() })
  // The rogue is a modified node: same log address and wire protocol, but an access controller that admits anything.
  const honestView = await open(rogue)
  const { address, name } = honestView
  const accessAddress = honestView.access.address
  await honestView.close()
  const logRogue = await Events()({
    ipfs: withFramedHeadExchange(rogue.helia),
    identity: await rogue.orbitdb.identities.createIdentity({ id: 'rogue' }),
    address,
    name,
    access: {
      type: 'wesh',
      address: accessAddress,
      write: ['*'],
      canAppend: () => Promise.resolve(true),
    },
    directory: join(rogue.directory, 'rogue-log'),
    encryption: { replication: linkKeyEncryption(linkKey) },
  })
  await logRogue.add(signed(Uint8Array.of(2)))
  await logRogue.add(signed(Uint8Array.of(1), ed25519KeyPair().seed))
  await honest.libp2p.dial(rogue.libp2p.getMultiaddrs()[0]!)
  await rejected
  const values = (await logHonest.all()).map((entry) => entry.value as Uint8Array)
  await logRogue.close()
  // OrbitDB joins from a head backwards, so the forged head also hides the rogue's own earlier entries:
  // a liar can withhold only what it wrote itself; members' entries reach us through their own heads.
  expect(values.every((value) => isGenuine(value))).toBe(true)
})

it('exchanges heads with a peer whose log registers its head-exchange handler late', async () => {
  await lateHandlerExchange(300) // within the tries of the dial (HEADS_DIAL_ATTEMPTS)
})

it('exchanges heads with a subscribed peer even after every dial to it failed', async () => {
  await lateHandlerExchange(8_000) // past the dial's tries: the next look for subscribed peers (HEADS_RESYNC_INTERVAL_MS)
})

it('carries a head whose gossip was lost to a connected peer at the next look (HEADS_RESYNC_INTERVAL_MS)', async () => {
  const a = await node()
  const b = await node()
  const atA = await open(a)
  const atB = await open(b)
  await b.libp2p.dial(a.libp2p.getMultiaddrs())
  await atA.add(signed(Uint8Array.of(1)))
  await until(atB, 1)
  // From now on A's gossip reaches no one, as on a link that changed under it; only head exchanges carry heads.
  const pubsub = a.libp2p.services.pubsub
  pubsub.publish = () => Promise.resolve({ recipients: [] })
  await atA.add(signed(Uint8Array.of(2)))
  await until(atB, 2)
  expect((await atB.all()).map((entry) => entry.hash)).toEqual((await atA.all()).map((entry) => entry.hash))
})

/** A writes three entries; B, already connected, opens the log with its head-exchange handler `ms` late. */
async function lateHandlerExchange(ms: number): Promise<void> {
  const a = await node()
  const b = await node()
  const atA = await open(a)
  for (const value of ['one', 'two', 'three']) await atA.add(signed(new TextEncoder().encode(value)))
  // B meets A before it opens the log, so B has seen A's subscription already and will not dial at once: A's dial,
  // made when B subscribes, comes before B's handler is on.
  await b.libp2p.dial(a.libp2p.getMultiaddrs())
  const late = withFramedHeadExchange(withLateHandlers(b.helia, ms))
  const atB = await openGroupLog({
    ipfs: late,
    identities: b.orbitdb.identities,
    directory: join(b.directory, 'late'),
    name: `${toHex(groupId)}_wesh_group_messages`,
    groupId,
    signPublicKey: groupKey.publicKey,
    linkKey,
    identityId: toHex(randomBytes(16)),
  })
  try {
    await until(atB, 3)
    expect((await atB.all()).map((entry) => entry.hash)).toEqual((await atA.all()).map((entry) => entry.hash))
  } finally {
    await atB.close()
  }
}

/** Helia whose libp2p registers protocol handlers `ms` late: a slow `handle` in OrbitDB's sync start. */
function withLateHandlers<T extends { libp2p: WeshNode['libp2p'] }>(helia: T, ms: number): T {
  const libp2p = delegate(helia.libp2p, {
    handle: async (...args: Parameters<WeshNode['libp2p']['handle']>) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      await helia.libp2p.handle(...args)
    },
  })
  return delegate(helia, { libp2p })
}

it('keeps a head joined while an append of its own is under way (RESILIENCE.md bug 8)', async () => {
  const a = await node()
  const b = await node()
  const logA = await open(a)
  const logB = await open(b)
  const lost: number[] = []
  for (let round = 0; round < 20; round++) {
    // Entries of the other replica, already in local storage: a join tried again after a failed fetch.
    const hash = await logB.add(signed(Uint8Array.of(round)))
    const entry = await logB.log.get(hash)
    await a.helia.blockstore.put(CID.parse(hash), (await logB.log.storage.get(hash))!)
    await Promise.all([logA.add(signed(Uint8Array.of(100 + round))), logA.log.joinEntry(entry!)])
    const reachable = new Set((await logA.all()).map((e) => e.hash))
    if (!reachable.has(hash)) lost.push(round)
  }
  expect(lost).toEqual([])
})

it('appends at once while a head joined from a peer is stuck fetching its history', async () => {
  // A speaks no log sync: B's join of A's head fetches the history behind it block by block.
  const a = await node(undefined, { logSync: false })
  const b = await node()
  const logA = await open(a)
  const lost = CID.parse(await logA.add(signed(Uint8Array.of(1))))
  await logA.add(signed(Uint8Array.of(2)))
  // B's fetch of A's first entry hangs, as from a peer gone unreachable, until it times out or the log closes.
  let onFetching = () => {}
  const fetching = new Promise<void>((resolve) => (onFetching = resolve))
  let onFetchEnded = () => {}
  const fetchEnded = new Promise<void>((resolve) => (onFetchEnded = resolve))
  const { blockstore } = b.helia
  const get = blockstore.get.bind(blockstore)
  blockstore.get = (cid, options) => {
    if (!cid.equals(lost)) return get(cid, options)
    onFetching()
    return (async function* stuck() {
      const { signal } = options ?? {}
      yield await new Promise<Uint8Array>((_, reject) => {
        signal?.addEventListener('abort', () => {
          onFetchEnded()
          reject(signal.reason as Error)
        })
      })
    })()
  }
  const logB = await open(b)
  await b.libp2p.dial(a.libp2p.getMultiaddrs()) // B takes A's head and starts to join it
  await fetching
  const appended = logB.add(signed(Uint8Array.of(3)))
  const first = await Promise.race([appended.then(() => 'append'), fetchEnded.then(() => 'fetch')])
  expect(first).toBe('append')
})

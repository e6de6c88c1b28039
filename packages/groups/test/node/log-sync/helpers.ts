import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventsDatabase } from '@orbitdb/core'
import { ed25519KeyPair, randomBytes, toHex } from '@wesh/crypto'
import { signEntry } from '../../../src/index.js'
import { createWeshNode, type WeshNode, type WeshNodeOptions } from '../../../src/node/wesh-node.js'
import type { LogHistory, LogSyncEvent } from '../../../src/node/log-sync/log-sync.js'

/** Real nodes on 127.0.0.1 in temp directories; `cleanup()` stops them and removes the directories. */
export class Nodes {
  readonly #nodes: WeshNode[] = []
  readonly #dirs: string[] = []

  async start(options: Partial<WeshNodeOptions> & { directory?: string } = {}): Promise<WeshNode> {
    const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'wesh-log-sync-')))
    if (options.directory === undefined) this.#dirs.push(directory)
    const node = await createWeshNode({
      ...options,
      directory,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan', ...options.network },
    })
    this.#nodes.push(node)
    return node
  }

  async stop(node: WeshNode): Promise<void> {
    this.#nodes.splice(this.#nodes.indexOf(node), 1)
    await node.stop()
  }

  async cleanup(): Promise<void> {
    for (const node of this.#nodes.splice(0)) await node.stop()
    for (const dir of this.#dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

/** One group's message log: its keys, and a way to open it on a node. */
export class TestLog {
  readonly groupKey = ed25519KeyPair()
  readonly groupId = randomBytes(32)
  readonly linkKey = randomBytes(32)

  open(
    node: WeshNode,
    options: {
      identityId?: string
      history?: LogHistory
      onSyncEvent?: (event: LogSyncEvent) => void
      onSyncError?: (error: unknown) => void
    } = {},
  ): Promise<EventsDatabase> {
    return node.openLog({
      name: `${toHex(this.groupId)}_wesh_group_messages`,
      groupId: this.groupId,
      signPublicKey: this.groupKey.publicKey,
      linkKey: this.linkKey,
      identityId: options.identityId ?? toHex(randomBytes(16)),
      ...(options.history ? { history: options.history } : {}),
      ...(options.onSyncEvent ? { onSyncEvent: options.onSyncEvent } : {}),
      ...(options.onSyncError ? { onSyncError: options.onSyncError } : {}),
    })
  }

  /** A payload the log's access controller admits. */
  entry(bytes = randomBytes(64)): Uint8Array {
    return signEntry(this.groupKey.seed, bytes)
  }
}

export async function connect(a: WeshNode, b: WeshNode): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
}

/** Resolves once `db` holds `count` entries, checked after each update. */
export async function untilEntries(db: EventsDatabase, count: number): Promise<void> {
  const have = async () => (await db.all()).length
  if ((await have()) >= count) return
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      have().then((n) => {
        if (n < count) return
        db.events.off('update', check)
        resolve()
      }, reject)
    }
    db.events.on('update', check)
    check()
  })
}

export async function appendMany(db: EventsDatabase, log: TestLog, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await db.add(log.entry())
}

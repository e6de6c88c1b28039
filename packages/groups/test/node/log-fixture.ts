import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventsDatabase } from '@orbitdb/core'
import { ed25519KeyPair, randomBytes, toHex } from '@wesh/crypto'
import { signEntry } from '../../src/index.js'
import { createWeshNode, type WeshNode, type WeshNodeOptions } from '../../src/node/wesh-node.js'

/**
 * One group's keys and the nodes a log test file starts: each node in a temp directory, each log of the group opened
 * under a fresh writer identity, and `cleanup()` for `afterAll` (every node stopped, every directory removed).
 */
export class LogFixture {
  readonly nodes: WeshNode[] = []
  readonly #dirs: string[] = []
  readonly groupKey = ed25519KeyPair()
  readonly groupId = randomBytes(32)
  readonly linkKey = randomBytes(32)
  readonly #prefix: string

  constructor(prefix: string) {
    this.#prefix = prefix
  }

  async node(options: Omit<WeshNodeOptions, 'directory'>): Promise<WeshNode> {
    const directory = await mkdtemp(join(tmpdir(), this.#prefix))
    this.#dirs.push(directory)
    const created = await createWeshNode({ directory, ...options })
    this.nodes.push(created)
    return created
  }

  open(
    on: WeshNode,
    log: 'messages' | 'metadata' = 'messages',
    options: { historyPage?: number } = {},
  ): Promise<EventsDatabase> {
    return on.openLog({
      ...options,
      name: `${toHex(this.groupId)}_wesh_group_${log}`,
      groupId: this.groupId,
      signPublicKey: this.groupKey.publicKey,
      linkKey: this.linkKey,
      identityId: toHex(randomBytes(16)),
    })
  }

  /** Appends `count` entries signed by the group key, each with `payload()`. */
  async append(log: EventsDatabase, count: number, payload: () => Uint8Array): Promise<void> {
    for (let i = 0; i < count; i++) await log.add(signEntry(this.groupKey.seed, payload()))
  }

  /** Stops `node` now and leaves it out of `cleanup()`. */
  async stop(node: WeshNode): Promise<void> {
    this.nodes.splice(this.nodes.indexOf(node), 1)
    await node.stop()
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((each) => each.stop()))
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  }
}

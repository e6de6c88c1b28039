// The types of the logs `node.openLog` returns: @orbitdb/core ships none, @wesh/groups declares them.
/// <reference types="@wesh/groups/orbitdb" />
import { join } from 'node:path'
import { randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, type Group } from '@wesh/groups'
import {
  GroupSession,
  LevelSecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'
import type { SimNetwork } from './sim-network.js'

/** A group a device is in, as its app keeps it: the invitation, and the group key's seed for the creator. */
interface Membership {
  readonly group: Group
  readonly groupSeed?: Uint8Array
}

/** Called with every entry, event or sync failure a session refuses or reports (counted by the simulation). */
export type RejectionListener = (device: string, what: string, error: unknown) => void

/**
 * One simulated phone: a real Wesh node (libp2p over TCP and the simulated radio, Helia and OrbitDB on LevelDB)
 * in a directory of its own, its account keys and secret-store key (kept by the "user" across restarts), and
 * its open group sessions. `stop()` then `start()` brings it back from its directory, as an app relaunched.
 */
export class SimDevice {
  readonly name: string
  readonly directory: string
  readonly account = AccountKeys.create()
  readonly #storeKey = randomBytes(32)
  readonly #network: SimNetwork
  readonly #onRejected: RejectionListener | undefined
  readonly #memberships: Membership[] = []
  readonly #sessions = new Map<string, GroupSession>()
  #node: WeshNode | undefined
  #secrets: LevelSecretStore | undefined

  constructor(init: {
    name: string
    directory: string
    network: SimNetwork
    onRejected?: RejectionListener
  }) {
    this.name = init.name
    this.directory = init.directory
    this.#network = init.network
    this.#onRejected = init.onRejected
  }

  get running(): boolean {
    return this.#node !== undefined
  }

  get node(): WeshNode {
    if (this.#node === undefined) throw new Error(`${this.name} is stopped`)
    return this.#node
  }

  /** Starts the node from the device's directory and reopens every group it is in. */
  async start(): Promise<void> {
    if (this.#node !== undefined) return
    const node = await createWeshNode({
      directory: this.directory,
      ...this.#network.nodeNetwork(this.name),
    })
    this.#network.register(this.name, node.libp2p.peerId)
    this.#node = node
    this.#secrets = await LevelSecretStore.open(
      join(this.directory, 'secrets'),
      new Uint8Array(this.#storeKey),
    )
    for (const membership of this.#memberships) await this.#open(membership)
  }

  /** Joins `group` (the creator passes the group key's seed, to announce itself: PROTOCOL.md §5 event 302). */
  async join(group: Group, groupSeed?: Uint8Array): Promise<GroupSession> {
    const membership = groupSeed === undefined ? { group } : { group, groupSeed }
    this.#memberships.push(membership)
    return this.#open(membership)
  }

  /** The open session of `group`; throws while the device is stopped. */
  session(group: Group): GroupSession {
    const session = this.#sessions.get(toHex(group.publicKey))
    if (session === undefined) throw new Error(`${this.name} has no open session of this group`)
    return session
  }

  get sessions(): GroupSession[] {
    return [...this.#sessions.values()]
  }

  get groups(): Group[] {
    return this.#memberships.map((membership) => membership.group)
  }

  /**
   * Closes the group's session and reads the entry hashes of both its logs in log order, straight from the
   * node's OrbitDB (the session has no accessor for the metadata log's order). The logs are named as PROTOCOL.md
   * §5 names them. The session stays closed.
   */
  async logOrder(group: Group): Promise<{ metadata: string[]; messages: string[] }> {
    const key = toHex(group.publicKey)
    await this.#sessions.get(key)?.close()
    this.#sessions.delete(key)
    const read = async (kind: 'metadata' | 'messages') => {
      const log = await this.node.openLog({
        name: `${key}_wesh_group_${kind}`,
        groupId: group.publicKey,
        signPublicKey: group.signPublicKey,
        linkKey: group.linkKey,
        identityId: `sim-reader-${kind}`,
      })
      try {
        return (await log.all()).map((entry) => entry.hash)
      } finally {
        await log.close()
      }
    }
    return { metadata: await read('metadata'), messages: await read('messages') }
  }

  /** Stops cleanly: sessions, then the node, then the secret store. */
  async stop(): Promise<void> {
    const node = this.#node
    if (node === undefined) return
    this.#node = undefined
    for (const session of this.#sessions.values()) await session.close()
    this.#sessions.clear()
    await node.stop()
    await this.#secrets?.close()
    this.#secrets = undefined
  }

  async #open({ group, groupSeed }: Membership): Promise<GroupSession> {
    if (this.#node === undefined || this.#secrets === undefined) throw new Error(`${this.name} is stopped`)
    const session = await GroupSession.open({
      node: this.#node,
      secrets: this.#secrets,
      group,
      ...membershipOf(this.account, group),
      ...(groupSeed === undefined ? {} : { groupSeed }),
      onRejected: (what, error) => this.#onRejected?.(this.name, what, error),
    })
    this.#sessions.set(toHex(group.publicKey), session)
    return session
  }
}

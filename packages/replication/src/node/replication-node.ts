import type { EventsDatabase } from '@orbitdb/core'
import type { WeshError } from '@wesh/crypto'
import { constantTimeEqual, isWeshError, toHex } from '@wesh/crypto'
import {
  createWeshNode,
  type WeshNetworkOptions,
  type WeshNode,
  type WeshNodeOptions,
} from '@wesh/groups/node'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { join } from 'node:path'
import { malformed, replicationError, ReplicationErrorCode } from '../errors.js'
import type { GroupReplicaStatus } from '../replica-status.js'
import { checkReplicationDeviceGrant, type ReplicationDeviceGrant } from '../replication-device.js'
import { checkReplicationGroup, type ReplicationGroup } from '../replication-group.js'
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_GROUPS,
  tokenHash,
  type ReplicationTokens,
  type TokenGrant,
} from '../tokens.js'
import { GroupRegistry, LOCAL_OWNER, type GroupRecord } from './group-registry.js'
import { LinkedAccountStore, linkedAccountOwner, type LinkedAccountRecord } from './linked-accounts.js'
import { LogTally } from './log-tally.js'
import { serveReplicationProtocol, type ReplicationProtocolServer } from './replication-protocol.js'

export { LOCAL_OWNER }

/**
 * The OrbitDB identity a replica opens logs with. It never writes (it has no secret to sign a `SignedEntry`),
 * so one identity serves every group.
 */
const REPLICA_IDENTITY = 'wesh-replica'

export interface ReplicationNodeOptions {
  /** The replica's own state (its list of groups), and the Wesh node's when `node` is not given. */
  readonly directory: string
  /**
   * A running Wesh node to replicate on (a linked device serving as a replica). Left out, the replica starts one
   * in `directory` and stops it in `stop()`.
   */
  readonly node?: WeshNode
  /** Network settings of the node started when `node` is not given. */
  readonly network?: WeshNetworkOptions
  readonly libp2p?: WeshNodeOptions['libp2p']
  /**
   * Who may add groups from the network (`/wesh/replication/1.0.0` and the HTTP API) and their quotas. Without
   * tokens (and no linked account, {@link ReplicationNode.linkAccount}) every remote request is refused with
   * `UNAUTHORIZED`; the node's own methods still work.
   */
  readonly tokens?: ReplicationTokens
  /** Serve `/wesh/replication/1.0.0` on the node (default true). */
  readonly serveProtocol?: boolean
}

/** Options of a request made on behalf of a token holder (`owner`) or, left out, of the node's operator. */
export interface OwnerOptions {
  readonly owner?: string
  readonly signal?: AbortSignal
}

/** Quotas of a linked account's groups (PROTOCOL.md §8 replication device). */
export interface LinkAccountOptions {
  /** Default {@link DEFAULT_MAX_GROUPS}. */
  readonly maxGroups?: number
  /** Default {@link DEFAULT_MAX_BYTES}. */
  readonly maxBytes?: number
}

/** An account this node is the replication device of; its groups are owned by `owner`. */
export interface LinkedAccount {
  readonly accountId: Uint8Array
  readonly owner: string
  readonly maxGroups: number
  readonly maxBytes: number
  readonly linkedAt: number
}

/** Counters since start, for logs and metrics. */
export interface ReplicationNodeStats {
  /** Entries refused by the access controller, all groups. */
  rejectedEntries: number
  /** Replication errors reported by the logs (bad blocks from a peer, streams cut). */
  syncErrors: number
  /** Failed writes to storage (disk full, I/O errors). */
  storageErrors: number
  /** Groups paused because every owner went over its byte quota. */
  pausedForQuota: number
}

/** A group recorded on disk whose logs could not be opened at start: not served until added again. */
export interface UnopenedGroup {
  readonly groupId: Uint8Array
  /** `STORAGE_FAILED`, with the file system's `reason`. */
  readonly error: WeshError
}

/** `detail` of the node's events: `update` (counts changed), `rejected` (a forged entry), `paused`, `removed`. */
export interface ReplicaEventDetail {
  readonly groupId: Uint8Array
  readonly error?: unknown
}

interface ReplicatedGroup {
  record: GroupRecord
  metadata: EventsDatabase | undefined
  messages: EventsDatabase | undefined
  tallies: { metadata: LogTally | undefined; messages: LogTally | undefined }
  rejected: number
  paused: boolean
}

/** Starts a replication node: a Wesh node plus the groups it replicates, reopened from `directory`. */
export async function createReplicationNode(options: ReplicationNodeOptions): Promise<ReplicationNode> {
  const registry = await GroupRegistry.open(join(options.directory, 'replicated-groups'))
  let links: LinkedAccountStore
  try {
    links = await LinkedAccountStore.open(join(options.directory, 'linked-accounts'))
  } catch (error) {
    await registry.close()
    throw error
  }
  let node: WeshNode
  try {
    node =
      options.node ??
      (await createWeshNode({
        directory: join(options.directory, 'node'),
        ...(options.network === undefined ? {} : { network: options.network }),
        ...(options.libp2p === undefined ? {} : { libp2p: options.libp2p }),
      }))
  } catch (error) {
    await links.close()
    await registry.close()
    throw error
  }
  const replicas = new ReplicationNode(node, registry, links, options)
  try {
    await replicas.restore()
    if (options.serveProtocol !== false) await replicas.serveProtocol()
  } catch (error) {
    await replicas.stop()
    throw error
  }
  return replicas
}

/**
 * A node that stores, verifies and serves the logs of groups it cannot read (PROTOCOL.md §8). Each group's two
 * logs are opened with the members' access controller (every entry must be signed under `sign_pub`) and the
 * link key. Never given a secret, it can neither read a payload nor write an entry.
 *
 * Events (`addEventListener`): `update`, `rejected`, `paused`, `removed`, each with a {@link ReplicaEventDetail}.
 */
export class ReplicationNode extends EventTarget {
  readonly node: WeshNode
  readonly tokens: ReplicationTokens | undefined
  readonly stats: ReplicationNodeStats = {
    rejectedEntries: 0,
    syncErrors: 0,
    storageErrors: 0,
    pausedForQuota: 0,
  }
  /** Keys of stored records that could not be read at start (skipped, left on disk). */
  unreadableRecords: readonly string[] = []
  /**
   * Groups whose logs could not be opened at start (a failing disk): the others are served all the same. Their
   * records stay on disk, so a restart on repaired storage reopens them, and so does adding one again, with its
   * owners kept. Until then they are not listed and `status` answers `UNKNOWN_GROUP`.
   */
  get unopenedGroups(): UnopenedGroup[] {
    return [...this.#unopened.values()].map(({ record, error }) => ({
      groupId: new Uint8Array(record.group.publicKey),
      error,
    }))
  }
  readonly #registry: GroupRegistry
  readonly #links: LinkedAccountStore
  /** Linked accounts by owner name. */
  readonly #linked = new Map<string, LinkedAccountRecord>()
  readonly #ownsNode: boolean
  readonly #groups = new Map<string, ReplicatedGroup>()
  readonly #unopened = new Map<string, { record: GroupRecord; error: WeshError }>()
  /** New groups whose logs are being opened, with the owners they are added for (counted in their quotas). */
  readonly #opening = new Map<string, { owners: readonly string[]; done: Promise<GroupReplicaStatus> }>()
  #protocol: ReplicationProtocolServer | undefined
  #work: Promise<unknown> = Promise.resolve()
  #stopped = false

  /** Use {@link createReplicationNode}. */
  constructor(
    node: WeshNode,
    registry: GroupRegistry,
    links: LinkedAccountStore,
    options: ReplicationNodeOptions,
  ) {
    super()
    this.node = node
    this.tokens = options.tokens
    this.#registry = registry
    this.#links = links
    this.#ownsNode = options.node === undefined
  }

  /** @internal Reopens every stored group (called once by {@link createReplicationNode}). */
  async restore(): Promise<void> {
    const links = await this.#links.all()
    for (const link of links.records) this.#linked.set(linkedAccountOwner(link.accountId), link)
    const { records, unreadable } = await this.#registry.all()
    this.unreadableRecords = [...unreadable, ...links.unreadable.map((key) => `linked-accounts/${key}`)]
    for (const record of records) {
      try {
        this.#register(await this.#open(record))
      } catch (error) {
        // One group's storage failing must not keep the node from serving the others (its record is kept).
        if (!isWeshError(error)) throw error
        this.#unopened.set(toHex(record.group.publicKey), { record, error })
      }
    }
    for (const group of this.#groups.values()) this.#enforceQuota(group)
  }

  /** @internal Registers `/wesh/replication/1.0.0` on the node. */
  async serveProtocol(): Promise<void> {
    this.#protocol = await serveReplicationProtocol(this)
  }

  /** Statistics of the libp2p protocol, when served. */
  get protocolStats(): ReplicationProtocolServer['stats'] | undefined {
    return this.#protocol?.stats
  }

  /**
   * Replicates `group` for `owner` (a token's name; left out, the operator, without quota). Checks the group
   * and its link-key signature, the owner's quotas, stores the record, opens both logs. Adding a group already
   * replicated only adds the owner. Throws `MALFORMED_REQUEST`, `INVALID_LINK_KEY_SIGNATURE`,
   * `QUOTA_EXCEEDED`, `STORAGE_FAILED` or `REPLICATION_STOPPED`; on any of them nothing changes.
   */
  async add(group: ReplicationGroup, options: OwnerOptions = {}): Promise<GroupReplicaStatus> {
    const checked = checkReplicationGroup(group)
    const owner = options.owner ?? LOCAL_OWNER
    const key = toHex(checked.publicKey)
    for (;;) {
      const step = await this.#serial(async () => {
        options.signal?.throwIfAborted()
        // Another add opens this group's logs: ours goes on once that one is done, and then finds the group.
        const opening = this.#opening.get(key)
        if (opening !== undefined) return { wait: opening.done }
        const existing = this.#groups.get(key)
        if (existing?.record.owners.includes(owner)) return { status: this.#status(existing) }
        this.#checkQuota(owner)
        if (existing) {
          const record = { ...existing.record, owners: [...existing.record.owners, owner] }
          await this.#storage(() => this.#registry.put(record))
          existing.record = record
          return { status: this.#status(existing) }
        }
        // A group left unopened at start keeps the owners recorded for it.
        const kept = this.#unopened.get(key)?.record
        const record: GroupRecord = kept
          ? { ...kept, owners: kept.owners.includes(owner) ? kept.owners : [...kept.owners, owner] }
          : { group: checked, owners: [owner], addedAt: Date.now() }
        const done = this.#openNew(key, record, kept !== undefined)
        this.#opening.set(key, { owners: record.owners, done })
        return { status: done }
      })
      if ('status' in step) return step.status
      await step.wait.catch(() => undefined)
    }
  }

  /**
   * Opens a new group's logs outside the queue, so that many adds at once are answered together rather than one
   * after the other (100 members asking at once waited past their request timeout), then records and registers it.
   * Logs first, record second: the list on disk never names a group whose logs failed to open, so a failure
   * leaves nothing to undo there (and no undo that could fail too).
   */
  async #openNew(key: string, record: GroupRecord, kept: boolean): Promise<GroupReplicaStatus> {
    try {
      const group = await this.#open(record)
      try {
        return await this.#serial(async () => {
          await this.#storage(() => this.#registry.put(record))
          this.#unopened.delete(key)
          this.#register(group)
          return this.#status(group)
        })
      } catch (error) {
        // A new group's logs go with it (entries synced meanwhile deleted); a kept group's stay for a retry.
        await this.#close(group, { drop: !kept })
        throw error
      }
    } finally {
      this.#opening.delete(key)
    }
  }

  /**
   * Stops replicating `groupId` for `owner` (left out: for everyone). When no owner is left, both logs are
   * dropped and their entry blocks deleted. Throws `UNKNOWN_GROUP` if the group is not replicated
   * for that owner.
   */
  async remove(groupId: Uint8Array, options: OwnerOptions = {}): Promise<void> {
    return this.#serial(async () => {
      options.signal?.throwIfAborted()
      const group = this.#find(groupId, options.owner)
      const owners =
        options.owner === undefined ? [] : group.record.owners.filter((name) => name !== options.owner)
      if (owners.length > 0) {
        const record = { ...group.record, owners }
        await this.#storage(() => this.#registry.put(record))
        group.record = record
        return
      }
      await this.#storage(() => this.#registry.delete(group.record.group.publicKey))
      this.#groups.delete(toHex(groupId))
      await this.#close(group, { drop: true })
      this.#emit('removed', group)
    })
  }

  /** What the replica holds of `groupId`; `UNKNOWN_GROUP` if it is not replicated (for `owner`, if given). */
  status(groupId: Uint8Array, options: OwnerOptions = {}): GroupReplicaStatus {
    return this.#status(this.#find(groupId, options.owner))
  }

  /** Every group replicated (for `owner`, if given). */
  list(options: OwnerOptions = {}): GroupReplicaStatus[] {
    return [...this.#groups.values()]
      .filter((group) => options.owner === undefined || group.record.owners.includes(options.owner))
      .map((group) => this.#status(group))
  }

  /** Groups and stored bytes counted against `owner`'s quotas. */
  usage(owner: string): { groups: number; bytes: number } {
    let groups = 0
    let bytes = 0
    for (const group of this.#groups.values()) {
      if (!group.record.owners.includes(owner)) continue
      groups++
      bytes += bytesOf(group)
    }
    return { groups, bytes }
  }

  /**
   * The grant of a bearer token from the network: a token of the tokens file, or the token of a linked account.
   * Undefined for a missing or unknown token.
   */
  authenticate(token: string | undefined): TokenGrant | undefined {
    const fromFile = this.tokens?.authenticate(token)
    if (fromFile !== undefined || typeof token !== 'string' || token.length === 0) return fromFile
    const hash = tokenHash(token)
    for (const [owner, link] of this.#linked) {
      if (constantTimeEqual(link.tokenHash, hash)) {
        return { name: owner, maxGroups: link.maxGroups, maxBytes: link.maxBytes }
      }
    }
    return undefined
  }

  /**
   * Becomes the replication device of the account named by `grant` (PROTOCOL.md §8): keeps the token's hash (so
   * the account's devices can add their groups over `/wesh/replication/1.0.0` and the HTTP API) and replicates the
   * account group. Linking again replaces the token and quotas. Throws like {@link add}.
   */
  async linkAccount(grant: ReplicationDeviceGrant, options: LinkAccountOptions = {}): Promise<LinkedAccount> {
    const { accountGroup, token } = checkReplicationDeviceGrant(grant)
    const record: LinkedAccountRecord = {
      accountId: accountGroup.publicKey,
      tokenHash: tokenHash(token),
      maxGroups: quota(options.maxGroups, DEFAULT_MAX_GROUPS, 'maxGroups'),
      maxBytes: quota(options.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes'),
      linkedAt: Date.now(),
    }
    const owner = linkedAccountOwner(record.accountId)
    const previous = this.#linked.get(owner)
    await this.#serial(async () => {
      await this.#storage(() => this.#links.put(record))
      this.#linked.set(owner, record)
    })
    try {
      await this.add(accountGroup, { owner })
    } catch (error) {
      await this.#serial(async () => {
        if (previous === undefined) {
          this.#linked.delete(owner)
          await this.#links.delete(record.accountId)
        } else {
          this.#linked.set(owner, previous)
          await this.#links.put(previous)
        }
      }).catch(() => undefined)
      throw error
    }
    return linkedAccountOf(owner, record)
  }

  /** Stops being the replication device of `accountId`: forgets its token and drops every group it owned here. */
  async unlinkAccount(accountId: Uint8Array): Promise<void> {
    const owner = accountId instanceof Uint8Array ? linkedAccountOwner(accountId) : ''
    const link = this.#linked.get(owner)
    if (link === undefined) {
      throw replicationError(ReplicationErrorCode.UNKNOWN_GROUP, 'this account is not linked here')
    }
    await this.#serial(async () => {
      await this.#storage(() => this.#links.delete(link.accountId))
      this.#linked.delete(owner)
    })
    for (const status of this.list({ owner })) await this.remove(status.groupId, { owner })
  }

  /** The accounts this node is the replication device of. */
  linkedAccounts(): LinkedAccount[] {
    return [...this.#linked].map(([owner, record]) => linkedAccountOf(owner, record))
  }

  /**
   * Resolves once `check(status)` holds for `groupId`, re-checking after each update of its logs and each
   * entry rejected; rejects
   * with the signal's reason if `signal` aborts first.
   */
  async waitFor(
    groupId: Uint8Array,
    check: (status: GroupReplicaStatus) => boolean,
    options: { signal?: AbortSignal } = {},
  ): Promise<GroupReplicaStatus> {
    const key = toHex(groupId)
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.removeEventListener('update', onUpdate)
        this.removeEventListener('rejected', onUpdate)
        options.signal?.removeEventListener('abort', onAbort)
      }
      const test = (): boolean => {
        const group = this.#groups.get(key)
        if (group === undefined) return false
        const status = this.#status(group)
        if (!check(status)) return false
        done()
        resolve(status)
        return true
      }
      const onUpdate = (event: Event): void => {
        if (toHex((event as CustomEvent<ReplicaEventDetail>).detail.groupId) === key) test()
      }
      const onAbort = (): void => {
        done()
        reject(options.signal?.reason as Error)
      }
      if (options.signal?.aborted) {
        onAbort()
        return
      }
      this.addEventListener('update', onUpdate)
      this.addEventListener('rejected', onUpdate)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      test()
    })
  }

  /** Closes every log and the registry; stops the Wesh node if this replica started it. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    await this.#work.catch(() => undefined)
    // An open under way fails to register once stopped and closes its logs itself: wait for it.
    await Promise.allSettled([...this.#opening.values()].map((opening) => opening.done))
    await this.#protocol?.stop()
    for (const group of this.#groups.values()) await this.#close(group, { drop: false })
    this.#groups.clear()
    if (this.#ownsNode) await this.node.stop()
    await this.#registry.close()
    await this.#links.close()
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.#stopped) {
      return Promise.reject(
        replicationError(ReplicationErrorCode.STOPPED, 'the replication node was stopped'),
      )
    }
    const result = this.#work.then(task)
    this.#work = result.catch(() => undefined)
    return result
  }

  #find(groupId: Uint8Array, owner: string | undefined): ReplicatedGroup {
    const group = groupId instanceof Uint8Array ? this.#groups.get(toHex(groupId)) : undefined
    if (group === undefined || (owner !== undefined && !group.record.owners.includes(owner))) {
      throw replicationError(ReplicationErrorCode.UNKNOWN_GROUP, 'this group is not replicated here', {
        data: { groupId: groupId instanceof Uint8Array ? toHex(groupId) : undefined },
      })
    }
    return group
  }

  /** Quotas of `owner`: a token of the file, a linked account, or none (the operator, a forgotten token). */
  #grantOf(owner: string): TokenGrant | undefined {
    if (owner === LOCAL_OWNER) return undefined
    const link = this.#linked.get(owner)
    if (link !== undefined) return { name: owner, maxGroups: link.maxGroups, maxBytes: link.maxBytes }
    return this.tokens?.grantOf(owner)
  }

  #checkQuota(owner: string): void {
    const grant = this.#grantOf(owner)
    if (grant === undefined) return
    const used = this.usage(owner)
    // Groups still opening count already: adds at once must not all pass the check.
    for (const opening of this.#opening.values()) if (opening.owners.includes(owner)) used.groups++
    if (used.groups >= grant.maxGroups) {
      throw replicationError(ReplicationErrorCode.QUOTA_EXCEEDED, `at most ${grant.maxGroups} groups`, {
        data: { quota: 'groups', limit: grant.maxGroups, used: used.groups },
      })
    }
    if (used.bytes >= grant.maxBytes) {
      throw replicationError(ReplicationErrorCode.QUOTA_EXCEEDED, `at most ${grant.maxBytes} bytes`, {
        data: { quota: 'bytes', limit: grant.maxBytes, used: used.bytes },
      })
    }
  }

  /** Pauses `group` when every one of its owners is over its byte quota (the operator never is). */
  #enforceQuota(group: ReplicatedGroup): void {
    if (group.paused) return
    const over = group.record.owners.every((owner) => {
      const grant = this.#grantOf(owner)
      return grant !== undefined && this.usage(owner).bytes > grant.maxBytes
    })
    if (!over) return
    group.paused = true
    this.stats.pausedForQuota++
    void this.#close(group, { drop: false }).then(() => {
      this.#emit('paused', group)
    })
  }

  async #storage<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (error) {
      if (isWeshError(error)) throw error
      this.stats.storageErrors++
      throw storageFailed(error)
    }
  }

  /**
   * Opens both logs of `record` and counts what they hold, for the caller to {@link #register}. Any failure
   * closes what was opened and throws `STORAGE_FAILED`.
   */
  async #open(record: GroupRecord): Promise<ReplicatedGroup> {
    const { group } = record
    const hex = toHex(group.publicKey)
    const replicated: ReplicatedGroup = {
      record,
      metadata: undefined,
      messages: undefined,
      tallies: { metadata: undefined, messages: undefined },
      rejected: 0,
      paused: false,
    }
    const base = {
      groupId: group.publicKey,
      signPublicKey: group.signPublicKey,
      linkKey: group.linkKey,
      identityId: REPLICA_IDENTITY,
      onRejected: () => {
        replicated.rejected++
        this.stats.rejectedEntries++
        this.#emit('rejected', replicated)
      },
      onSyncError: (error: unknown) => {
        this.stats.syncErrors++
        this.#emit('error', replicated, error)
      },
      // A write failing while the group replicates (disk full): counted and reported; other groups go on.
      onStorageError: (error: unknown) => {
        this.stats.storageErrors++
        this.#emit('error', replicated, storageFailed(error))
      },
    }
    try {
      const metadata = await this.node.openLog({ ...base, name: `${hex}_wesh_group_metadata` })
      replicated.metadata = metadata
      const messages = await this.node.openLog({ ...base, name: `${hex}_wesh_group_messages` })
      replicated.messages = messages
      for (const [name, log] of [
        ['metadata', metadata],
        ['messages', messages],
      ] as const) {
        const tally = new LogTally(log)
        replicated.tallies[name] = tally
        const refresh = (): void => {
          tally.refresh().then(
            () => {
              this.#emit('update', replicated)
              this.#enforceQuota(replicated)
            },
            (error: unknown) => {
              if (!replicated.paused) this.#emit('error', replicated, error)
            },
          )
        }
        log.events.on('update', refresh)
        await tally.refresh()
      }
    } catch (error) {
      await this.#close(replicated, { drop: false })
      this.stats.storageErrors++
      throw storageFailed(error)
    }
    return replicated
  }

  /** Serves `group` from now on (its logs are open). */
  #register(group: ReplicatedGroup): void {
    this.#groups.set(toHex(group.record.group.publicKey), group)
    this.#emit('update', group) // a new group is a change: waitFor re-checks
  }

  async #close(group: ReplicatedGroup, options: { drop: boolean }): Promise<void> {
    for (const name of ['metadata', 'messages'] as const) {
      const log = group[name]
      group[name] = undefined
      if (log === undefined) continue
      log.events.removeAllListeners('update')
      try {
        if (options.drop) await log.drop()
        await log.close()
      } catch (error) {
        // A close during a sync can reject with the block store's AbortError (STACK.md): the log is closed anyway.
        this.#emit('error', group, error)
      }
    }
    if (!options.drop) return
    // Dropping clears the log's index and heads; its entry blocks stay in Helia until removed here (those of logs
    // written before entries were no longer pinned are unpinned first).
    for (const tally of [group.tallies.metadata, group.tallies.messages]) {
      for (const hash of tally?.hashes ?? []) {
        try {
          const cid = CID.parse(hash, base58btc)
          if (await this.node.helia.pins.isPinned(cid)) await drain(this.node.helia.pins.rm(cid))
          await this.node.helia.blockstore.delete(cid)
        } catch (error) {
          this.#emit('error', group, error)
        }
      }
    }
  }

  #status(group: ReplicatedGroup): GroupReplicaStatus {
    const empty = { entries: 0, bytes: 0, heads: [] }
    return {
      groupId: new Uint8Array(group.record.group.publicKey),
      groupType: group.record.group.groupType,
      metadata: group.tallies.metadata?.status ?? empty,
      messages: group.tallies.messages?.status ?? empty,
      rejectedEntries: group.rejected,
      paused: group.paused,
    }
  }

  #emit(type: string, group: ReplicatedGroup, error?: unknown): void {
    const detail: ReplicaEventDetail = {
      groupId: group.record.group.publicKey,
      ...(error === undefined ? {} : { error }),
    }
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}

/** Runs an async iterable to its end (Helia's `pins.rm` works as it is iterated). */
async function drain(items: AsyncIterable<unknown>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]()
  while ((await iterator.next()).done !== true);
}

function quota(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0) throw malformed(`${name} must be an integer ≥ 0`)
  return value
}

function linkedAccountOf(owner: string, record: LinkedAccountRecord): LinkedAccount {
  return {
    accountId: new Uint8Array(record.accountId),
    owner,
    maxGroups: record.maxGroups,
    maxBytes: record.maxBytes,
    linkedAt: record.linkedAt,
  }
}

function bytesOf(group: ReplicatedGroup): number {
  return (group.tallies.metadata?.status.bytes ?? 0) + (group.tallies.messages?.status.bytes ?? 0)
}

function storageFailed(cause: unknown): WeshError {
  return replicationError(ReplicationErrorCode.STORAGE_FAILED, 'the replica could not write to its storage', {
    data: { reason: innermostCode(cause) },
    cause,
  })
}

/**
 * The innermost `code` along `error`'s causes: the file system's (`ENOSPC`, `EIO`, `ENOTDIR`…) rather than the
 * wrapper LevelDB puts around it (`LEVEL_DATABASE_NOT_OPEN`), which tells an operator nothing; `unknown` if none.
 */
function innermostCode(error: unknown): string {
  let code = 'unknown'
  const seen = new Set<unknown>()
  for (let at = error; typeof at === 'object' && at !== null && !seen.has(at);) {
    seen.add(at)
    const { code: here, cause } = at as { code?: unknown; cause?: unknown }
    if (typeof here === 'string') code = here
    at = cause
  }
  return code
}

import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import {
  CryptoErrorCode,
  WeshError,
  concatBytes,
  bytesToUtf8,
  ed25519PublicKey,
  ed25519Signer,
  fromHex,
  isWeshError,
  randomBytes,
  toHex,
  utf8ToBytes,
} from '@wesh/crypto'
import {
  RatchetReceiver,
  RatchetSender,
  type ChainState,
  type ReceiverStateV1,
  type SenderStateV1,
} from '@wesh/ratchet'
import { CID } from 'multiformats/cid'
import { encodeAppEvent, createPoll } from '../app-event.js'
import { MAX_SEALED_ATTACHMENT_BYTES, openAttachment, sealAttachment } from '../attachment.js'
import { MAX_ATTACHMENT_BYTES } from '../constants.js'
import { sealDeviceChainKey } from '../chain-key-box.js'
import { admittedEntryPayload, signEntry } from '../entry.js'
import { GroupsErrorCode } from '../errors.js'
import { EventType, memberDeviceAdded, sealGroupEvent, type GroupEventInput } from '../group-event.js'
import type { GroupState } from '../group-state.js'
import { GroupType, memberKeySeed, type Group } from '../group.js'
import type { AccountKeys } from '../account.js'
import { openMessage, sealMessage } from '../message-envelope.js'
import type { SecretStore } from './memory-secret-store.js'
import type { WeshNode } from './wesh-node.js'
import { AsyncQueue } from './async-queue.js'
import { MetadataReader } from './metadata-reader.js'
import { ReplicaConnections } from './replica-connections.js'
import type { PeerRendezvous } from './peer-rendezvous.js'
import { groupLogTopic } from '@wesh/rendezvous'

/**
 * Who `account` is in `group` (PROTOCOL.md §4): its member key seed, and the device key it writes with — the
 * account's device key in account and contact groups, left to the session (random, kept) in multi-member groups.
 */
export function membershipOf(
  account: AccountKeys,
  group: Pick<Group, 'groupType' | 'publicKey'>,
): { memberSeed: Uint8Array; deviceSeed?: Uint8Array } {
  const memberSeed = memberKeySeed(group, {
    accountSeed: account.accountSeed(),
    aliasSeed: account.aliasSeed(),
  })
  return group.groupType === GroupType.MULTI_MEMBER
    ? { memberSeed }
    : { memberSeed, deviceSeed: account.deviceSeed() }
}

/** Messages waiting for their device's chain key, per device; the oldest are dropped beyond. */
export const MAX_PENDING_PER_DEVICE = 1_000

/** A message read from a group's message log. */
export interface GroupMessage {
  /** The log entry's hash: a stable ID. */
  readonly id: string
  readonly devicePk: Uint8Array
  readonly counter: number
  readonly plaintext: Uint8Array
}

export interface GroupSessionOptions {
  readonly node: WeshNode
  /** Where the session keeps its chains, identities and read messages (encrypted at rest by the store). */
  readonly secrets: SecretStore
  readonly group: Group
  /** Our member key's seed in this group (PROTOCOL.md §4). */
  readonly memberSeed: Uint8Array
  /**
   * Our device key's seed in this group: the account's device key in account and contact groups. Left out in a
   * multi-member group, a fresh random one is made once and kept in `secrets` (PROTOCOL.md §4).
   */
  readonly deviceSeed?: Uint8Array
  /** The group key's seed, held by the creator of a multi-member group to announce itself (event 302). */
  readonly groupSeed?: Uint8Array
  /**
   * Members to send our chain key to even before they appear in the log: in a contact group the peer's account
   * ID is known from the start, so messages sent before the peer joins are still readable to it.
   */
  readonly knownMembers?: readonly Uint8Array[]
  /** Called with every entry or event refused, for logs and counters. */
  readonly onRejected?: (what: string, error: unknown) => void
  /**
   * Partial history of the message log (README "Partial history"): catching up brings this many newest messages,
   * and {@link GroupSession.messages} fetches older pages from peers when asked for them. Needs the node's log sync.
   * The metadata log is always whole. Default: the whole history.
   */
  readonly messageHistoryPage?: number
}

type StoredMessage = { devicePk: string; counter: number; plaintext: string } | { unreadable: string }

/**
 * One group open on a node (PROTOCOL.md §5): its two logs, our sending chain, the chains other devices shared
 * with us, and the join flow — announce our device, send our chain key once to every member, read the chain
 * keys addressed to us, and deliver messages queued while their chain key was unknown.
 */
export class GroupSession {
  readonly group: Group
  readonly #options: GroupSessionOptions
  readonly #prefix: string
  readonly #metadata: EventsDatabase
  readonly #messages: EventsDatabase
  readonly #sender: RatchetSender
  readonly #receivers = new Map<string, RatchetReceiver>()
  readonly #pending = new Map<string, { id: string; envelope: Uint8Array }[]>()
  readonly #subscribers = new Set<AsyncQueue<GroupMessage>>()
  /** Entry IDs already read (or found unreadable), so a log update touches only new entries. */
  readonly #processed = new Set<string>()
  readonly #device: ReturnType<typeof ed25519Signer>
  readonly #metadataReader: MetadataReader
  #state: GroupState
  /** A metadata sync is queued and has not started: later log updates ride on it. */
  #metadataSyncQueued = false
  #work: Promise<void> = Promise.resolve()
  #updateWaiters: (() => void)[] = []
  #closed = false
  readonly #replicas: ReplicaConnections
  /** One per log: where the group's members meet (PROTOCOL.md §2 "group log point"). */
  #meetings: PeerRendezvous[] = []

  readonly #deviceSeed: Uint8Array

  private constructor(
    options: GroupSessionOptions,
    logs: { metadata: EventsDatabase; messages: EventsDatabase },
    sender: RatchetSender,
    deviceSeed: Uint8Array,
  ) {
    this.#deviceSeed = deviceSeed
    this.#options = options
    this.group = options.group
    this.#prefix = `group/${toHex(options.group.publicKey)}/`
    this.#metadata = logs.metadata
    this.#messages = logs.messages
    this.#sender = sender
    this.#device = ed25519Signer(deviceSeed)
    this.#replicas = new ReplicaConnections(options.node.libp2p, (error) =>
      options.onRejected?.('replica', error),
    )
    this.#metadataReader = new MetadataReader(options.group, options.memberSeed, (error) =>
      options.onRejected?.('metadata event', error),
    )
    this.#state = this.#metadataReader.read([])
  }

  /** Opens both logs of `group` on the node and runs the join flow. */
  static async open(options: GroupSessionOptions): Promise<GroupSession> {
    const { node, secrets, group } = options
    const prefix = `group/${toHex(group.publicKey)}/`
    const identity = async (log: string) => {
      const name = `${prefix}identity/${log}`
      const stored = await secrets.get(name)
      if (stored) return bytesToUtf8(stored)
      const id = toHex(randomBytes(16))
      await secrets.put(name, utf8ToBytes(id))
      return id
    }
    const storedSender = await secrets.get(`${prefix}sender`)
    const sender = storedSender
      ? RatchetSender.fromState(JSON.parse(bytesToUtf8(storedSender)) as SenderStateV1)
      : RatchetSender.create(group.publicKey)
    // Our chain as it is when our device joins, for members ahead of us in the group whom we learn of only after
    // we have written (see #chainFor). Kept, encrypted like the sender, for as long as we are in the group.
    if (!storedSender)
      await secrets.put(`${prefix}join-chain`, utf8ToBytes(JSON.stringify(sender.exportState())))
    const base = { groupId: group.publicKey, signPublicKey: group.signPublicKey, linkKey: group.linkKey }
    const onRejected = () =>
      options.onRejected?.('entry', new Error('log entry refused by the access controller'))
    const onSyncError = (error: unknown) => options.onRejected?.('sync', error)
    const metadata = await node.openLog({
      ...base,
      name: `${toHex(group.publicKey)}_wesh_group_metadata`,
      identityId: await identity('metadata'),
      onRejected,
      onSyncError,
    })
    const { messageHistoryPage } = options
    const messages = await node.openLog({
      ...base,
      ...(messageHistoryPage === undefined ? {} : { historyPage: messageHistoryPage }),
      name: `${toHex(group.publicKey)}_wesh_group_messages`,
      identityId: await identity('messages'),
      onRejected,
      onSyncError,
    })
    let deviceSeed = options.deviceSeed ?? (await secrets.get(`${prefix}device`))
    if (deviceSeed === undefined) {
      deviceSeed = randomBytes(32)
      await secrets.put(`${prefix}device`, deviceSeed)
    }
    const session = new GroupSession(options, { metadata, messages }, sender, deviceSeed)
    await session.#saveSender()
    for (const name of await secrets.names(`${prefix}receiver/`)) {
      const stored = await secrets.get(name)
      if (stored) {
        const receiver = RatchetReceiver.fromState(JSON.parse(bytesToUtf8(stored)) as ReceiverStateV1)
        session.#receivers.set(name.slice(`${prefix}receiver/`.length), receiver)
      }
    }
    // #schedule never rejects: failures go to onRejected, so the returned promises can be left alone.
    metadata.events.on('update', () => {
      session.#queueMetadataSync()
    })
    messages.events.on('update', (entry: LogEntry<EventsPayload>) => {
      void session.#schedule(() => session.#syncMessages([entry]))
    })
    await session.#schedule(async () => {
      await session.#syncMetadata()
      await session.#syncMessages(await messages.log.heads())
    })
    session.#meetings = [metadata, messages].map((log) =>
      node.rendezvous({
        topic: groupLogTopic(log.address),
        seed: group.linkKey,
        onError: (error) => options.onRejected?.('rendezvous', error),
      }),
    )
    return session
  }

  /** The group's state folded from the metadata log: members, devices, name, admins, polls. */
  get state(): GroupState {
    return this.#state
  }

  /** Our device key in this group. */
  get devicePublicKey(): Uint8Array {
    return this.#device.publicKey
  }

  /** Seals `plaintext` with our chain and appends it to the message log; resolves with its ID once stored. */
  async send(plaintext: Uint8Array): Promise<string> {
    return this.#serial(async () => {
      const { envelope, counter } = sealMessage({
        secret: this.group.secret,
        sender: this.#sender,
        deviceKey: this.#device,
        plaintext,
      })
      await this.#saveSender()
      const id = await this.#messages.add(signEntry(this.group.secret, envelope))
      // Our own chain cannot read back what it sent: keep the plaintext now.
      await this.#storeMessage(id, {
        devicePk: toHex(this.#device.publicKey),
        counter,
        plaintext: toHex(plaintext),
      })
      return id
    })
  }

  /**
   * Messages newest first, in the log's converged order: `limit` of them (default all), those after the message
   * `before` (an ID from an earlier page) when given. Read from local storage; with a partial history
   * (`messageHistoryPage`), older pages are fetched from peers when the page asked for reaches past what is here.
   * Throws `INVALID_ARGUMENT` for a bad limit, and `MESSAGE_NOT_FOUND` when `before` is in no page of the log.
   */
  async messages(options: { limit?: number; before?: string } = {}): Promise<GroupMessage[]> {
    const { limit = Infinity, before } = options
    if (limit !== Infinity && (!Number.isSafeInteger(limit) || limit < 1)) {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'limit must be a positive integer', {
        data: { argument: 'limit' },
      })
    }
    await this.#work
    for (;;) {
      const out: GroupMessage[] = []
      let reached = before === undefined
      // Entries this old or older may come after some not fetched yet: the page stops there until they are.
      const gap = this.#options.node.logSync?.historyGap(this.#messages.address)
      for await (const { hash, clock } of this.#messages.log.traverse()) {
        if (gap !== undefined && clock.time <= gap) break
        if (!reached) {
          reached = hash === before
          continue
        }
        const message = await this.#readStored(hash)
        if (message) out.push(message)
        if (out.length >= limit) return out
      }
      if (!(await this.#loadOlderMessages(limit - out.length))) {
        if (reached) return out
        throw new WeshError(GroupsErrorCode.MESSAGE_NOT_FOUND, 'no message with this ID in the group', {
          data: { before },
        })
      }
    }
  }

  /**
   * Fetches older messages, at least a page and `wanted` if more (all of them when Infinity), and reads them; false
   * when there is none (or no partial history).
   */
  async #loadOlderMessages(wanted: number): Promise<boolean> {
    const { logSync } = this.#options.node
    const page = this.#options.messageHistoryPage
    if (page === undefined || logSync === undefined) return false
    const limit = Math.min(Math.max(wanted, page), Number.MAX_SAFE_INTEGER)
    const entries = await logSync.loadOlder(this.#messages.address, { limit })
    if (entries.length === 0) return false
    await this.#schedule(() => this.#syncMessages(entries, { older: true }))
    return true
  }

  /** New messages as they are read, until `signal` aborts or the session closes. */
  subscribe(options: { signal?: AbortSignal } = {}): AsyncIterable<GroupMessage> {
    const queue = new AsyncQueue<GroupMessage>(() => {
      this.#subscribers.delete(queue)
    })
    this.#subscribers.add(queue)
    options.signal?.addEventListener(
      'abort',
      () => {
        queue.end()
      },
      { once: true },
    )
    return queue
  }

  /**
   * Seals a file with the group's attachment key and stores it as UnixFS blocks on this node; resolves with its CID,
   * which a message can carry. Members fetch it with {@link GroupSession.attachment}; whoever serves the blocks sees
   * only ciphertext. Throws `MESSAGE_TOO_LARGE` beyond `MAX_ATTACHMENT_BYTES`.
   */
  async addAttachment(bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<string> {
    const sealed = sealAttachment(this.group.attachmentKey, bytes)
    const cid = await this.#options.node.unixfs.addBytes(sealed, options)
    return cid.toString()
  }

  /**
   * Fetches an attachment by CID — from local blocks, or from peers over bitswap — and opens it. Throws
   * `INVALID_ARGUMENT` for a malformed CID, `MESSAGE_TOO_LARGE` when the file grows past the limit (the fetch stops
   * there), `DECRYPTION_FAILED` when it was not sealed for this group, and the signal's reason when it aborts.
   */
  async attachment(cid: string, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    let parsed: CID
    try {
      parsed = CID.parse(cid)
    } catch (cause) {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'cid is not a CID', {
        cause,
        data: { argument: 'cid' },
      })
    }
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of this.#options.node.unixfs.cat(parsed, options)) {
      size += chunk.length
      if (size > MAX_SEALED_ATTACHMENT_BYTES) {
        throw new WeshError(GroupsErrorCode.MESSAGE_TOO_LARGE, 'the attachment is larger than the limit', {
          data: { message: 'attachment', max: MAX_ATTACHMENT_BYTES },
        })
      }
      chunks.push(chunk)
    }
    return openAttachment(this.group.attachmentKey, concatBytes(...chunks))
  }

  /** Sets the group name (a Wesh application event in the metadata log); `state` has it on return. */
  async setName(name: string): Promise<void> {
    await this.appendEvent({
      eventType: EventType.GROUP_METADATA_PAYLOAD_SENT,
      payload: { message: encodeAppEvent({ kind: 'group-name', name }) },
    })
  }

  /** Creates a poll and returns its ID; `state.polls` has it on return. */
  async createPoll(question: string, options: readonly string[]): Promise<Uint8Array> {
    const { pollId, event } = createPoll({ question, options })
    await this.appendEvent({
      eventType: EventType.GROUP_METADATA_PAYLOAD_SENT,
      payload: { message: encodeAppEvent(event) },
    })
    return pollId
  }

  /** Votes for option `option` of a poll (folded into `state` on return); a member's last vote in the converged order counts, once. */
  async vote(pollId: Uint8Array, option: number): Promise<void> {
    await this.appendEvent({
      eventType: EventType.GROUP_METADATA_PAYLOAD_SENT,
      payload: { message: encodeAppEvent({ kind: 'poll-voted', pollId, option }) },
    })
  }

  /** Resolves after the next log update has been processed (for callers that wait on state, not on time). */
  nextUpdate(): Promise<void> {
    return new Promise((resolve) => this.#updateWaiters.push(resolve))
  }

  /**
   * Resolves once `check(this)` holds, re-checking after every log update processed (a member joined, a chain
   * key arrived, a vote was folded). Rejects with the signal's reason if `signal` aborts first.
   */
  async waitFor(
    check: (session: GroupSession) => boolean,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { signal } = options
    // Rejects as soon as the signal aborts, not at the next update (which may never come).
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener(
        'abort',
        () => {
          reject(signal.reason as Error)
        },
        { once: true },
      )
    })
    aborted.catch(() => undefined) // observed by the race below; never unhandled when the wait ends first
    for (;;) {
      signal?.throwIfAborted()
      const next = this.nextUpdate()
      if (check(this)) return
      await (signal ? Promise.race([next, aborted]) : next)
      if (this.#closed) throw new WeshError(GroupsErrorCode.SESSION_CLOSED, 'the group session was closed')
    }
  }

  /** The current heads of both logs (entry hashes): a replica holding them holds everything this device has. */
  async heads(): Promise<{ metadata: string[]; messages: string[] }> {
    const hashes = async (log: EventsDatabase) => (await log.log.heads()).map((entry) => entry.hash)
    return { metadata: await hashes(this.#metadata), messages: await hashes(this.#messages) }
  }

  /** Waits until the metadata and message work queued so far is done. */
  async settled(): Promise<void> {
    await this.#work
  }

  /** Stops reading; the logs stay open on the node until it stops. */
  async close(): Promise<void> {
    this.#closed = true
    this.#replicas.close()
    for (const meeting of this.#meetings) await meeting.stop()
    await this.#work
    for (const queue of this.#subscribers) queue.end()
    for (const wake of this.#updateWaiters.splice(0)) wake()
    await this.#metadata.close()
    await this.#messages.close()
    this.#device.destroy()
  }

  // One chain of work: log updates and sends never interleave, so chain states stay consistent.
  #schedule(task: () => Promise<void>): Promise<void> {
    this.#work = this.#work
      .then(task)
      .catch((error: unknown) => this.#options.onRejected?.('session', error))
      .finally(() => {
        for (const wake of this.#updateWaiters.splice(0)) wake()
      })
    return this.#work
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#work.then(task)
    this.#work = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }

  /** Queues one metadata sync for any number of log updates that arrive before it starts. */
  #queueMetadataSync(): void {
    if (this.#metadataSyncQueued) return
    this.#metadataSyncQueued = true
    // #schedule never rejects: failures go to onRejected, so the returned promise can be left alone.
    void this.#schedule(() => {
      this.#metadataSyncQueued = false
      return this.#syncMetadata()
    })
  }

  async #syncMetadata(): Promise<void> {
    if (this.#closed) return
    this.#state = this.#metadataReader.read(await this.#metadata.all())
    // The replication servers recorded in the group serve its logs: they are dialled and kept connected.
    for (const server of this.#state.replicas.keys()) this.#replicas.add(server)
    await this.#join()
    for (const [device, chain] of this.#state.chainKeys) {
      if (this.#receivers.has(device)) continue
      const receiver = RatchetReceiver.create(this.group.publicKey, chain)
      this.#receivers.set(device, receiver)
      await this.#saveReceiver(device, receiver)
      const waiting = this.#pending.get(device) ?? []
      this.#pending.delete(device)
      for (const { id, envelope } of waiting) await this.#readMessage(id, envelope, {})
    }
  }

  /** §5 join flow: announce the group (creator), our device, then our chain key to each member once. */
  async #join(): Promise<void> {
    const { groupSeed, memberSeed } = this.#options
    const memberPk = ed25519PublicKey(memberSeed)
    const device = toHex(this.#device.publicKey)
    if (groupSeed !== undefined && this.#state.initialMember === undefined) {
      await this.#append(
        sealGroupEvent({
          group: this.group,
          event: { eventType: EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED, payload: { memberPk } },
          signingKey: groupSeed,
        }),
      )
    }
    if (!this.#state.deviceMembers.has(device)) {
      await this.#postEvent({
        eventType: EventType.GROUP_MEMBER_DEVICE_ADDED,
        payload: memberDeviceAdded(memberSeed, this.#device.publicKey),
      })
    }
    const sentTo = this.#state.chainKeysSent.get(device)
    const members = new Map([...(this.#options.knownMembers ?? []), memberPk].map((pk) => [toHex(pk), pk]))
    for (const member of this.#state.members.values()) members.set(toHex(member.memberPk), member.memberPk)
    for (const [hex, recipient] of members) {
      if (sentTo?.has(hex)) continue
      const { chainKey, counter } = await this.#chainFor(hex, toHex(memberPk))
      const box = sealDeviceChainKey({
        senderDeviceSeed: this.#deviceSeed,
        recipientMemberId: recipient,
        groupId: this.group.publicKey,
        chainKey,
        counter,
      })
      chainKey.fill(0)
      await this.#postEvent({
        eventType: EventType.GROUP_DEVICE_CHAIN_KEY_ADDED,
        payload: { destMemberPk: recipient, payload: box },
      })
    }
  }

  /**
   * The chain to send `member` (hex key). The log's order cannot tell whether a member we learn of late joined
   * before or after our device (a device that has not synced writes its join early in the order), and §5 wants
   * newcomers unable to read what was sent before they joined; so only members known to be there before us get our
   * chain as it was when our device joined, and can read what we wrote before we learnt of them: the creator
   * (event 302), members the caller named in `knownMembers`, and our own member's other devices (`ownMember`,
   * hex). Every other member gets our current chain.
   */
  async #chainFor(member: string, ownMember: string): Promise<ChainState> {
    const { knownMembers = [] } = this.#options
    const ahead =
      member === this.#state.initialMember ||
      member === ownMember ||
      knownMembers.some((known) => toHex(known) === member)
    const stored = ahead ? await this.#options.secrets.get(`${this.#prefix}join-chain`) : undefined
    if (stored === undefined) return this.#sender.chain()
    const atJoin = RatchetSender.fromState(JSON.parse(bytesToUtf8(stored)) as SenderStateV1)
    try {
      return atJoin.chain()
    } finally {
      atJoin.destroy()
    }
  }

  /**
   * Appends a metadata event signed by our device (its `device_pk` is filled in) and processes it, so
   * `state` includes it on return. Throws `EVENT_NOT_ALLOWED` for account events outside the account group.
   */
  async appendEvent(event: GroupEventInput): Promise<void> {
    if (this.#closed) throw new WeshError(GroupsErrorCode.SESSION_CLOSED, 'the group session was closed')
    const envelope = sealGroupEvent({ group: this.group, event, signingKey: this.#device })
    await this.#serial(async () => {
      await this.#append(envelope)
      await this.#syncMetadata()
    })
  }

  /**
   * Records that a replication server keeps this group (event 403), so every member learns of it and connects.
   * `server` is where members reach it: a multiaddr ending with its peer ID.
   */
  async recordReplica(server: string, authenticationUrl = ''): Promise<void> {
    if (typeof server !== 'string' || server === '') {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'server must be a non-empty multiaddr', {
        data: { argument: 'server' },
      })
    }
    await this.appendEvent({
      eventType: EventType.GROUP_REPLICATING,
      payload: { replicationServer: server, authenticationUrl },
    })
  }

  async #postEvent(event: GroupEventInput): Promise<void> {
    await this.#append(sealGroupEvent({ group: this.group, event, signingKey: this.#device }))
  }

  async #append(envelope: Uint8Array): Promise<void> {
    await this.#metadata.add(signEntry(this.group.secret, envelope))
  }

  /**
   * Reads the entries new to us behind `heads`: walks back along `next` links and stops at entries already
   * read, so each update costs what it brought, not the length of the log.
   */
  async #syncMessages(
    heads: readonly LogEntry<EventsPayload>[],
    options: { readonly older?: boolean } = {},
  ): Promise<void> {
    if (this.#closed) return
    const fresh: LogEntry<EventsPayload>[] = []
    const seen = new Set<string>()
    const stack = [...heads]
    for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
      if (seen.has(entry.hash) || (await this.#isProcessed(entry.hash))) continue
      seen.add(entry.hash)
      fresh.push(entry)
      for (const hash of entry.next) {
        const parent = await this.#messages.log.get(hash)
        if (parent) stack.push(parent)
      }
    }
    // Oldest first, so that a device's counters arrive mostly in order.
    fresh.sort((x, y) => x.clock.time - y.clock.time || (x.clock.id < y.clock.id ? -1 : 1))
    for (const entry of fresh) {
      try {
        await this.#readMessage(
          entry.hash,
          // The log's access controller verified the entry's signature before it was stored or joined.
          admittedEntryPayload(entry.payload.value as Uint8Array),
          options,
        )
      } catch (error) {
        this.#options.onRejected?.('message entry', error)
      }
    }
  }

  async #isProcessed(id: string): Promise<boolean> {
    if (this.#processed.has(id)) return true
    if ([...this.#pending.values()].some((queue) => queue.some((entry) => entry.id === id))) return true
    if ((await this.#options.secrets.get(this.#messageName(id))) === undefined) return false
    this.#processed.add(id)
    return true
  }

  /** Reads one message; subscribers get it unless it is `older` (a page of history, not news). */
  async #readMessage(id: string, envelope: Uint8Array, options: { readonly older?: boolean }): Promise<void> {
    let device: string | undefined
    try {
      const opened = openMessage({
        secret: this.group.secret,
        envelope,
        receiverFor: (devicePk) => {
          device = toHex(devicePk)
          return this.#receivers.get(device)
        },
      })
      if (device !== undefined)
        await this.#saveReceiver(device, this.#receivers.get(device) as RatchetReceiver)
      const message = { id, devicePk: opened.devicePk, counter: opened.counter, plaintext: opened.plaintext }
      await this.#storeMessage(id, {
        devicePk: toHex(opened.devicePk),
        counter: opened.counter,
        plaintext: toHex(opened.plaintext),
      })
      if (options.older !== true) for (const queue of this.#subscribers) queue.push(message)
    } catch (error) {
      if (isWeshError(error, GroupsErrorCode.CHAIN_KEY_UNKNOWN) && device !== undefined) {
        const queue = this.#pending.get(device) ?? []
        queue.push({ id, envelope })
        if (queue.length > MAX_PENDING_PER_DEVICE) queue.shift()
        this.#pending.set(device, queue)
        return
      }
      // Sent before our chain arrived (RATCHET_KEY_UNAVAILABLE), forged or corrupted: never readable here.
      await this.#storeMessage(id, { unreadable: isWeshError(error) ? error.code : 'ERROR' })
      if (!isWeshError(error, 'RATCHET_KEY_UNAVAILABLE')) this.#options.onRejected?.('message', error)
    }
  }

  #messageName(id: string): string {
    return `${this.#prefix}message/${id}`
  }

  async #storeMessage(id: string, record: StoredMessage): Promise<void> {
    this.#processed.add(id)
    await this.#options.secrets.put(this.#messageName(id), utf8ToBytes(JSON.stringify(record)))
  }

  async #readStored(id: string): Promise<GroupMessage | undefined> {
    const stored = await this.#options.secrets.get(this.#messageName(id))
    if (!stored) return undefined
    const record = JSON.parse(bytesToUtf8(stored)) as StoredMessage
    if ('unreadable' in record) return undefined
    return {
      id,
      devicePk: fromHex(record.devicePk),
      counter: record.counter,
      plaintext: fromHex(record.plaintext),
    }
  }

  async #saveSender(): Promise<void> {
    await this.#options.secrets.put(
      `${this.#prefix}sender`,
      utf8ToBytes(JSON.stringify(this.#sender.exportState())),
    )
  }

  async #saveReceiver(device: string, receiver: RatchetReceiver): Promise<void> {
    await this.#options.secrets.put(
      `${this.#prefix}receiver/${device}`,
      utf8ToBytes(JSON.stringify(receiver.exportState())),
    )
  }
}

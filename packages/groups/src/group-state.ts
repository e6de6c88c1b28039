import { ed25519PublicKey, isWeshError, toHex } from '@wesh/crypto'
import type { ChainState } from '@wesh/ratchet'
import { AccountFold, AccountFoldRejection, type AccountState, isAccountEvent } from './account-state.js'
import { type AppEvent, decodeAppEvent } from './app-event.js'
import { openDeviceChainKey } from './chain-key-box.js'
import { EventType, type OpenedGroupEvent } from './group-event.js'
import { type Group, GroupType } from './group.js'

// PROTOCOL.md §5 "Merge": the state of a group is a pure function of its metadata log's converged order. This
// fold reads events already opened and verified by `openGroupEvent` (signatures, sizes, event types) and
// applies the rules that need the order: who is a member, which device belongs to whom, who is admin, polls.
// Keys of every map are lowercase hex of the public key (or poll ID).

/** Why the fold ignored an event. The fold never throws on a bad event: it records it here and goes on. */
export const FoldRejection = {
  /** An event whose envelope nonce an earlier event already had: the same entry appended again (a replay). */
  REPLAYED: 'REPLAYED',
  /** The writing device has not posted its `GroupMemberDeviceAdded` earlier in the order. */
  UNKNOWN_DEVICE: 'UNKNOWN_DEVICE',
  /** A `GroupMemberDeviceAdded` for a device already bound to another member. */
  DEVICE_CLAIMED: 'DEVICE_CLAIMED',
  /** A member the group type does not allow: not the account in the account group, a third one in a contact group. */
  MEMBER_NOT_ALLOWED: 'MEMBER_NOT_ALLOWED',
  /** An admin grant by a member who is not admin, or an initial-member announcement in a non-multi-member group. */
  NOT_ADMIN: 'NOT_ADMIN',
  /** A chain-key box addressed to us that does not open or holds a malformed chain. */
  BAD_CHAIN_KEY: 'BAD_CHAIN_KEY',
  /** A Wesh application event that breaks its limits. */
  MALFORMED_APP_EVENT: 'MALFORMED_APP_EVENT',
  /** A poll created twice with one ID. */
  DUPLICATE_POLL: 'DUPLICATE_POLL',
  /** A vote for a poll not created earlier in the order. */
  UNKNOWN_POLL: 'UNKNOWN_POLL',
  /** A vote for an option the poll does not have. */
  INVALID_VOTE: 'INVALID_VOTE',
  /** A `GroupReplicating` event without a replication server. */
  MALFORMED_REPLICA: 'MALFORMED_REPLICA',
  ...AccountFoldRejection,
} as const
export type FoldRejection = (typeof FoldRejection)[keyof typeof FoldRejection]

export interface MemberState {
  readonly memberPk: Uint8Array
  /** Hex keys of its devices, in the order they joined. */
  readonly devices: readonly string[]
}

export interface PollState {
  readonly pollId: Uint8Array
  readonly question: string
  readonly options: readonly string[]
  /** Hex key of the member who created it. */
  readonly creator: string
  /** One entry per member ID: its last vote in the order (the option index). */
  readonly votes: ReadonlyMap<string, number>
}

/** A replication server a member recorded for this group (event 403). */
export interface ReplicaState {
  /** Where members reach it: a multiaddr with its peer ID, as the member recorded it. */
  readonly server: string
  readonly authenticationUrl: string
  /** Hex key of the device that recorded it. */
  readonly recordedBy: string
}

export interface GroupState {
  readonly members: ReadonlyMap<string, MemberState>
  /** Device → the member it belongs to. */
  readonly deviceMembers: ReadonlyMap<string, string>
  /** Device → the chain it shared with our member (secret); only with `ownMemberSeed`. */
  readonly chainKeys: ReadonlyMap<string, ChainState>
  /** Device → the members it has sent its chain to (§5 join flow: "send our chain key … once"). */
  readonly chainKeysSent: ReadonlyMap<string, ReadonlySet<string>>
  /** Last group name set, if any. */
  readonly name: string | undefined
  /** The creator announced by the group key (event 302), if any. */
  readonly initialMember: string | undefined
  readonly admins: ReadonlySet<string>
  readonly polls: ReadonlyMap<string, PollState>
  /** Replication servers recorded in the group, by server address, in the order they were first recorded. */
  readonly replicas: ReadonlyMap<string, ReplicaState>
  /** Account groups only: the account's groups, contacts and contact-request settings (events 101–112). */
  readonly account: AccountState | undefined
  /** Events the fold ignored, by index in the input. */
  readonly rejected: readonly { readonly index: number; readonly reason: FoldRejection }[]
}

export interface FoldOptions {
  readonly group: Pick<Group, 'publicKey' | 'groupType'>
  /** Our member key seed in this group: chain keys addressed to it are opened into `chainKeys`. */
  readonly ownMemberSeed?: Uint8Array
}

/** The state of a group after `events`, in the log's converged order. */
export function foldGroupEvents(events: readonly OpenedGroupEvent[], options: FoldOptions): GroupState {
  const fold = new GroupFold(options)
  for (const event of events) fold.apply(event)
  return fold.state()
}

/** Vote counts per option (index) and number of members who voted: one member, one vote. */
export function tallyPoll(poll: PollState): { counts: number[]; voters: number } {
  const counts = poll.options.map(() => 0)
  for (const option of poll.votes.values()) counts[option] = (counts[option] ?? 0) + 1
  return { counts, voters: poll.votes.size }
}

/** The fold as an object, for a node that applies events as they arrive in order. */
export class GroupFold {
  readonly #group: Pick<Group, 'publicKey' | 'groupType'>
  readonly #ownMemberSeed: Uint8Array | undefined
  readonly #ownMember: string | undefined
  readonly #members = new Map<string, { memberPk: Uint8Array; devices: string[] }>()
  readonly #deviceMembers = new Map<string, string>()
  readonly #chainKeys = new Map<string, ChainState>()
  readonly #chainKeysSent = new Map<string, Set<string>>()
  readonly #admins = new Set<string>()
  readonly #polls = new Map<
    string,
    {
      pollId: Uint8Array
      question: string
      options: readonly string[]
      creator: string
      votes: Map<string, number>
    }
  >()
  readonly #replicas = new Map<string, ReplicaState>()
  readonly #account: AccountFold | undefined
  readonly #rejected: { index: number; reason: FoldRejection }[] = []
  readonly #nonces = new Set<string>()
  #name: string | undefined
  #initialMember: string | undefined
  #index = 0

  constructor(options: FoldOptions) {
    this.#group = { publicKey: new Uint8Array(options.group.publicKey), groupType: options.group.groupType }
    if (options.group.groupType === GroupType.ACCOUNT) this.#account = new AccountFold()
    if (options.ownMemberSeed !== undefined) {
      this.#ownMemberSeed = new Uint8Array(options.ownMemberSeed)
      this.#ownMember = toHex(ed25519PublicKey(this.#ownMemberSeed))
    }
  }

  /** Applies the next event of the order; returns the rejection reason when it was ignored. */
  apply(event: OpenedGroupEvent): FoldRejection | undefined {
    const index = this.#index++
    const reason = this.#apply(event)
    if (reason !== undefined) this.#rejected.push({ index, reason })
    return reason
  }

  /** A snapshot of the state so far (later `apply` calls do not change it). */
  state(): GroupState {
    return {
      members: new Map(
        [...this.#members].map(([key, member]) => [
          key,
          { memberPk: member.memberPk, devices: [...member.devices] },
        ]),
      ),
      deviceMembers: new Map(this.#deviceMembers),
      chainKeys: new Map(this.#chainKeys),
      chainKeysSent: new Map([...this.#chainKeysSent].map(([key, sent]) => [key, new Set(sent)])),
      name: this.#name,
      initialMember: this.#initialMember,
      admins: new Set(this.#admins),
      polls: new Map([...this.#polls].map(([key, poll]) => [key, { ...poll, votes: new Map(poll.votes) }])),
      replicas: new Map(this.#replicas),
      account: this.#account?.state(),
      rejected: [...this.#rejected],
    }
  }

  #apply(event: OpenedGroupEvent): FoldRejection | undefined {
    const nonce = toHex(event.nonce)
    if (this.#nonces.has(nonce)) return FoldRejection.REPLAYED
    this.#nonces.add(nonce)
    switch (event.eventType) {
      case EventType.GROUP_MEMBER_DEVICE_ADDED:
        return this.#memberDeviceAdded(event.payload.memberPk, event.payload.devicePk)
      case EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED: {
        if (this.#group.groupType !== GroupType.MULTI_MEMBER) return FoldRejection.NOT_ADMIN
        const member = toHex(event.payload.memberPk)
        this.#initialMember ??= member
        if (this.#initialMember === member) this.#admins.add(member)
        return undefined
      }
      default:
        break
    }
    // Every other event is written by a device that joined earlier in the order.
    const signer = toHex(event.signerPk)
    const member = this.#deviceMembers.get(signer)
    if (member === undefined) return FoldRejection.UNKNOWN_DEVICE
    switch (event.eventType) {
      case EventType.GROUP_DEVICE_CHAIN_KEY_ADDED:
        return this.#chainKeyAdded(signer, event.payload.destMemberPk, event.payload.payload, event.signerPk)
      case EventType.MULTI_MEMBER_GROUP_ADMIN_ROLE_GRANTED:
        if (!this.#admins.has(member)) return FoldRejection.NOT_ADMIN
        this.#admins.add(toHex(event.payload.granteeMemberPk))
        return undefined
      case EventType.GROUP_METADATA_PAYLOAD_SENT:
        return this.#appPayload(member, event.payload.message)
      case EventType.GROUP_REPLICATING: {
        const server = event.payload.replicationServer
        if (server === '') return FoldRejection.MALFORMED_REPLICA
        if (!this.#replicas.has(server)) {
          this.#replicas.set(server, {
            server,
            authenticationUrl: event.payload.authenticationUrl,
            recordedBy: signer,
          })
        }
        return undefined
      }
      default:
        // Account events reach here only in the account group (openGroupEvent refuses them elsewhere).
        if (isAccountEvent(event)) return this.#account?.apply(event)
        return undefined // ContactAliasKeyAdded: nothing to fold yet
    }
  }

  #memberDeviceAdded(memberPk: Uint8Array, devicePk: Uint8Array): FoldRejection | undefined {
    const member = toHex(memberPk)
    const device = toHex(devicePk)
    const owner = this.#deviceMembers.get(device)
    if (owner !== undefined) return owner === member ? undefined : FoldRejection.DEVICE_CLAIMED
    if (!this.#members.has(member)) {
      // PROTOCOL.md §4: the account group's only member is the account (member key = account key = group key);
      // a contact group has exactly two members.
      if (this.#group.groupType === GroupType.ACCOUNT && member !== toHex(this.#group.publicKey)) {
        return FoldRejection.MEMBER_NOT_ALLOWED
      }
      if (this.#group.groupType === GroupType.CONTACT && this.#members.size >= 2) {
        return FoldRejection.MEMBER_NOT_ALLOWED
      }
      this.#members.set(member, { memberPk: new Uint8Array(memberPk), devices: [] })
    }
    this.#members.get(member)?.devices.push(device)
    this.#deviceMembers.set(device, member)
    return undefined
  }

  #chainKeyAdded(
    device: string,
    destMemberPk: Uint8Array,
    box: Uint8Array,
    devicePk: Uint8Array,
  ): FoldRejection | undefined {
    const dest = toHex(destMemberPk)
    let sent = this.#chainKeysSent.get(device)
    if (sent === undefined) this.#chainKeysSent.set(device, (sent = new Set()))
    sent.add(dest)
    if (this.#ownMemberSeed === undefined || dest !== this.#ownMember || this.#chainKeys.has(device)) {
      return undefined // not for us, or already have this device's chain (the first one reaches furthest back)
    }
    try {
      this.#chainKeys.set(
        device,
        openDeviceChainKey({
          recipientMemberSeed: this.#ownMemberSeed,
          senderDeviceId: devicePk,
          groupId: this.#group.publicKey,
          box,
        }),
      )
      return undefined
    } catch (error) {
      if (isWeshError(error)) return FoldRejection.BAD_CHAIN_KEY
      throw error
    }
  }

  #appPayload(member: string, message: Uint8Array): FoldRejection | undefined {
    let app: AppEvent | undefined
    try {
      app = decodeAppEvent(message)
    } catch (error) {
      if (isWeshError(error)) return FoldRejection.MALFORMED_APP_EVENT
      throw error
    }
    if (app === undefined) return undefined // another application's payload
    switch (app.kind) {
      case 'group-name':
        this.#name = app.name
        return undefined
      case 'poll-created': {
        const key = toHex(app.pollId)
        if (this.#polls.has(key)) return FoldRejection.DUPLICATE_POLL
        this.#polls.set(key, {
          pollId: app.pollId,
          question: app.question,
          options: [...app.options],
          creator: member,
          votes: new Map(),
        })
        return undefined
      }
      case 'poll-voted': {
        const poll = this.#polls.get(toHex(app.pollId))
        if (poll === undefined) return FoldRejection.UNKNOWN_POLL
        if (app.option >= poll.options.length) return FoldRejection.INVALID_VOTE
        // One member, one vote (§5): keyed by member ID, whatever device wrote it; the last one in the order wins.
        poll.votes.delete(member)
        poll.votes.set(member, app.option)
        return undefined
      }
    }
  }
}

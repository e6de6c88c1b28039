import { assertBytes, bytesToUtf8, erase, randomBytes, toHex, utf8ToBytes } from '@wesh/crypto'
import { AccountKeys, type AccountStateV1 } from '../account.js'
import { type AccountState, type ContactState, ContactStatus, isActiveContact } from '../account-state.js'
import type { ContactCard } from '../contact-card.js'
import { KEY_BYTES } from '../constants.js'
import { GroupsErrorCode, groupsError } from '../errors.js'
import { EventType } from '../group-event.js'
import { type Group, GroupType, accountGroup, contactGroup, createMultiMemberGroup } from '../group.js'
import { invitationFields, parseInvitation, parseInvitationLink } from '../invitation.js'
import { GroupSession, membershipOf } from './group-session.js'
import type { SecretStore } from './memory-secret-store.js'
import type { WeshNode } from './wesh-node.js'

const KEYS_NAME = 'account/keys'
const groupSeedName = (groupId: string) => `account/group-seed/${groupId}`

export interface WeshAccountOptions {
  readonly node: WeshNode
  readonly secrets: SecretStore
  /**
   * The account to open. Left out: the one stored in `secrets`, or a new random account on first use. Given on a
   * store that already holds an account, it must be the same account (`ACCOUNT_MISMATCH` otherwise).
   */
  readonly keys?: AccountKeys
  /** Called with every entry or event refused in any of the account's groups. */
  readonly onRejected?: (what: string, error: unknown) => void
}

/**
 * One account on one device (PROTOCOL.md §1, §4, §5): its keys kept in the secret store, its account group, and
 * every group it is in — the multi-member groups listed in the account group (events 101/102) and the contact group
 * of each active contact (events 106–110). All devices of the account fold the same account group, so they list
 * the same groups and contacts; opening an account on a new device joins every group listed there.
 *
 * The network side of contact requests (rendezvous points, the `/wesh/contact_req/1.0.0` handshake) records its
 * steps through the methods here, so that each step is an account-group event every device sees.
 */
export class WeshAccount {
  readonly keys: AccountKeys
  readonly node: WeshNode
  readonly accountGroup: GroupSession
  readonly #options: WeshAccountOptions
  readonly #sessions = new Map<string, Promise<GroupSession>>()
  #closed = false
  #following: Promise<void> = Promise.resolve()

  private constructor(options: WeshAccountOptions, keys: AccountKeys, session: GroupSession) {
    this.#options = options
    this.node = options.node
    this.keys = keys
    this.accountGroup = session
  }

  /** Opens (or creates) the account kept in `secrets`, its account group, and every group it is in. */
  static async open(options: WeshAccountOptions): Promise<WeshAccount> {
    const { node, secrets } = options
    const keys = await loadKeys(secrets, options.keys)
    const accountSeed = keys.accountSeed()
    const aliasSeed = keys.aliasSeed()
    const { group, groupSeed } = accountGroup({ accountSeed, aliasSeed })
    erase(accountSeed, aliasSeed, groupSeed)
    const session = await GroupSession.open({
      node,
      secrets,
      group,
      ...membershipOf(keys, group),
      ...(options.onRejected ? { onRejected: options.onRejected } : {}),
    })
    const account = new WeshAccount(options, keys, session)
    await account.#openListedGroups()
    account.#following = account.#follow()
    return account
  }

  /** What the account group says: groups, contacts, blocked accounts, contact-request settings. */
  get state(): AccountState {
    const state = this.accountGroup.state.account
    if (state === undefined) throw new Error('the account group folds an account state') // unreachable
    return state
  }

  /** The account ID (the account key's public key). */
  get accountId(): Uint8Array {
    return this.keys.accountId
  }

  /** The current public rendezvous seed: the last one reset in the account group, else the account keys' own. */
  publicRendezvousSeed(): Uint8Array {
    return new Uint8Array(this.state.publicRendezvousSeed ?? this.keys.publicRendezvousSeed())
  }

  /** Our contact card (`ShareableContact`) with the current rendezvous seed; `metadata` is typically a display name. */
  contactCard(metadata: Uint8Array = new Uint8Array(0)): ContactCard {
    assertBytes(metadata, 'metadata')
    return { accountId: this.keys.accountId, publicRendezvousSeed: this.publicRendezvousSeed(), metadata }
  }

  /** Creates a multi-member group, lists it in the account group, and opens it as its first member and admin. */
  async createGroup(options: { name?: string } = {}): Promise<GroupSession> {
    const { group, groupSeed } = createMultiMemberGroup()
    const id = toHex(group.publicKey)
    // Kept so that the creator can still announce itself (event 302) if it stops before its first open ends.
    await this.#options.secrets.put(groupSeedName(id), groupSeed)
    erase(groupSeed)
    await this.#recordJoined(group)
    const session = await this.group(group.publicKey)
    if (options.name !== undefined) await session.setName(options.name)
    return session
  }

  /**
   * Joins a multi-member group from its invitation (`Group`, `pb(Group)` bytes or a `wesh://group/…` link) and
   * lists it in the account group. Throws `INVALID_INVITATION`; joining a group already joined returns its session.
   */
  async joinGroup(invitation: Group | Uint8Array | string): Promise<GroupSession> {
    const group =
      typeof invitation === 'string'
        ? parseInvitationLink(invitation)
        : invitation instanceof Uint8Array
          ? parseInvitation(invitation)
          : invitation
    if (group.groupType !== GroupType.MULTI_MEMBER) {
      throw groupsError(
        GroupsErrorCode.INVALID_INVITATION,
        'only multi-member groups are joined by invitation',
      )
    }
    if (!this.state.groups.has(toHex(group.publicKey))) await this.#recordJoined(group)
    return this.group(group.publicKey)
  }

  /** Leaves a multi-member group: it leaves the account group's list on every device, and its session closes. */
  async leaveGroup(groupId: Uint8Array): Promise<void> {
    assertBytes(groupId, 'groupId', KEY_BYTES)
    const id = toHex(groupId)
    if (!this.state.groups.has(id)) throw unknownGroup(id)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_GROUP_LEFT,
      payload: { groupPk: groupId },
    })
    await this.#closeSession(id)
  }

  /** The multi-member groups the account is in. */
  groups(): Group[] {
    return [...this.state.groups.values()]
  }

  /** Contacts by status, as every device of the account sees them. */
  contacts(): ContactState[] {
    return [...this.state.contacts.values()]
  }

  /**
   * The session of a group the account is in: the account group, a multi-member group it joined, or the contact
   * group of an active contact (pass the group ID, or the contact's account ID). Throws `GROUP_UNKNOWN`.
   */
  async group(id: Uint8Array): Promise<GroupSession> {
    assertBytes(id, 'id', KEY_BYTES)
    this.#assertOpen()
    const hex = toHex(id)
    if (hex === toHex(this.accountGroup.group.publicKey)) return this.accountGroup
    const open = this.#sessions.get(hex)
    if (open) return open
    const listed = this.state.groups.get(hex)
    if (listed) return this.#open(listed)
    const contact = this.state.contacts.get(hex)
    if (contact && isActiveContact(contact)) return this.#openContact(contact.accountId)
    for (const active of this.contacts().filter(isActiveContact)) {
      if (hex === toHex(this.#contactGroupOf(active.accountId).publicKey))
        return this.#openContact(active.accountId)
    }
    throw unknownGroup(hex)
  }

  /** Every session open now (the account group first). */
  async sessions(): Promise<GroupSession[]> {
    return [this.accountGroup, ...(await Promise.all(this.#sessions.values()))]
  }

  /** Starts taking contact requests (event 104); the network side registers on the contact point while enabled. */
  async enableContactRequests(): Promise<void> {
    await this.accountGroup.appendEvent({ eventType: EventType.ACCOUNT_CONTACT_REQUEST_ENABLED, payload: {} })
  }

  /** Stops taking contact requests (event 103). */
  async disableContactRequests(): Promise<void> {
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_DISABLED,
      payload: {},
    })
  }

  /**
   * Renews the public rendezvous seed (event 105, PROTOCOL.md §6.2): cards made before no longer reach us.
   * Resolves with the new seed.
   */
  async resetRendezvousSeed(seed: Uint8Array = randomBytes(KEY_BYTES)): Promise<Uint8Array> {
    assertBytes(seed, 'seed', KEY_BYTES)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_REFERENCE_RESET,
      payload: { publicRendezvousSeed: seed },
    })
    return new Uint8Array(seed)
  }

  /**
   * Records that we ask `card`'s account to become a contact (event 106) and opens the contact group at once, so
   * what we write there is readable to them once they accept. `ownMetadata` goes along with our card.
   * Throws `CONTACT_BLOCKED`, or `INVALID_CONTACT_STATE` if already a contact or if it is ourselves.
   */
  async requestContact(
    card: ContactCard,
    ownMetadata: Uint8Array = new Uint8Array(0),
  ): Promise<GroupSession> {
    assertBytes(ownMetadata, 'ownMetadata')
    const contact = this.#assertOther(card.accountId)
    const current = this.state.contacts.get(contact)
    if (current && isActiveContact(current)) throw invalidState(contact, current.status)
    if (current?.status === ContactStatus.INCOMING_RECEIVED) return this.acceptContactRequest(card.accountId)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_ENQUEUED,
      payload: {
        groupPk: this.#contactGroupOf(card.accountId).publicKey,
        contact: {
          pk: card.accountId,
          publicRendezvousSeed: card.publicRendezvousSeed,
          metadata: card.metadata,
        },
        ownMetadata,
      },
    })
    return this.#openContact(card.accountId)
  }

  /** Records that our request reached the responder (event 107). Throws `INVALID_CONTACT_STATE` unless enqueued. */
  async markContactRequestSent(accountId: Uint8Array): Promise<void> {
    const contact = this.#assertOther(accountId)
    const status = this.state.contacts.get(contact)?.status
    if (status !== ContactStatus.OUTGOING_ENQUEUED) throw invalidState(contact, status)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT,
      payload: { contactPk: accountId },
    })
  }

  /**
   * Records a request that reached us (event 108). Returns false, recording nothing, for a request from someone
   * already a contact or already waiting. Throws `CONTACT_BLOCKED` for a blocked account: the network side refuses
   * those before they leave a trace.
   */
  async receiveContactRequest(card: ContactCard): Promise<boolean> {
    const contact = this.#assertOther(card.accountId)
    const current = this.state.contacts.get(contact)
    if (current && current.status !== ContactStatus.INCOMING_DISCARDED) return false
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED,
      payload: {
        contactPk: card.accountId,
        contactRendezvousSeed: card.publicRendezvousSeed,
        contactMetadata: card.metadata,
      },
    })
    return true
  }

  /** Accepts a received request (event 110) and opens the contact group. Throws `INVALID_CONTACT_STATE`. */
  async acceptContactRequest(accountId: Uint8Array): Promise<GroupSession> {
    const contact = this.#assertOther(accountId)
    const status = this.state.contacts.get(contact)?.status
    if (status !== ContactStatus.INCOMING_RECEIVED) throw invalidState(contact, status)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_ACCEPTED,
      payload: { contactPk: accountId, groupPk: this.#contactGroupOf(accountId).publicKey },
    })
    return this.#openContact(accountId)
  }

  /** Discards a received request (event 109). Throws `INVALID_CONTACT_STATE`. */
  async discardContactRequest(accountId: Uint8Array): Promise<void> {
    const contact = this.#assertOther(accountId, { allowBlocked: true })
    const status = this.state.contacts.get(contact)?.status
    if (status !== ContactStatus.INCOMING_RECEIVED) throw invalidState(contact, status)
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_DISCARDED,
      payload: { contactPk: accountId },
    })
  }

  /** Blocks an account (event 111): its contact requests are refused from now on, on every device. */
  async blockContact(accountId: Uint8Array): Promise<void> {
    const contact = this.#assertOther(accountId, { allowBlocked: true })
    if (this.state.blocked.has(contact)) return
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_BLOCKED,
      payload: { contactPk: accountId },
    })
  }

  /** Unblocks an account (event 112). */
  async unblockContact(accountId: Uint8Array): Promise<void> {
    const contact = this.#assertOther(accountId, { allowBlocked: true })
    if (!this.state.blocked.has(contact)) return
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_CONTACT_UNBLOCKED,
      payload: { contactPk: accountId },
    })
  }

  /** True when the account blocks `accountId`. */
  isBlocked(accountId: Uint8Array): boolean {
    assertBytes(accountId, 'accountId', KEY_BYTES)
    return this.state.blocked.has(toHex(accountId))
  }

  /** Resolves once `check(state)` holds, re-checked after each account-group update; rejects if `signal` aborts. */
  async waitFor(
    check: (state: AccountState) => boolean,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.accountGroup.waitFor(() => check(this.state), options)
  }

  /** Closes every session; the node and the secret store stay open (their owner stops them). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const id of [...this.#sessions.keys()]) await this.#closeSession(id)
    await this.accountGroup.close()
    await this.#following
    this.keys.destroy()
  }

  // Another device of the account may list a group or accept a contact: open what the account group lists.
  async #follow(): Promise<void> {
    for (;;) {
      await this.accountGroup.nextUpdate()
      if (this.#closed) return
      await this.#openListedGroups().catch((error: unknown) => this.#options.onRejected?.('account', error))
    }
  }

  async #openListedGroups(): Promise<void> {
    for (const group of this.state.groups.values()) await this.#open(group)
    for (const contact of this.state.contacts.values()) {
      if (isActiveContact(contact)) await this.#openContact(contact.accountId)
    }
    // Left on another device: close here too.
    for (const id of [...this.#sessions.keys()]) {
      const session = await this.#sessions.get(id)
      if (session?.group.groupType === GroupType.MULTI_MEMBER && !this.state.groups.has(id)) {
        await this.#closeSession(id)
      }
    }
  }

  async #recordJoined(group: Group): Promise<void> {
    await this.accountGroup.appendEvent({
      eventType: EventType.ACCOUNT_GROUP_JOINED,
      payload: { group: invitationFields(group) },
    })
  }

  #open(group: Group, knownMembers?: Uint8Array[]): Promise<GroupSession> {
    this.#assertOpen()
    const id = toHex(group.publicKey)
    let session = this.#sessions.get(id)
    if (session) return session
    session = (async () => {
      const groupSeed = await this.#options.secrets.get(groupSeedName(id))
      const opened = await GroupSession.open({
        node: this.node,
        secrets: this.#options.secrets,
        group,
        ...membershipOf(this.keys, group),
        ...(groupSeed ? { groupSeed } : {}),
        ...(knownMembers ? { knownMembers } : {}),
        ...(this.#options.onRejected ? { onRejected: this.#options.onRejected } : {}),
      })
      groupSeed?.fill(0)
      return opened
    })()
    this.#sessions.set(id, session)
    // A failed open is forgotten, so that the next call tries again.
    session.catch(() => this.#sessions.delete(id))
    return session
  }

  #openContact(accountId: Uint8Array): Promise<GroupSession> {
    // PROTOCOL.md §4 contact: our chain goes to the peer from the start, so it reads what we wrote before it joined.
    return this.#open(this.#contactGroupOf(accountId), [accountId])
  }

  #contactGroupOf(accountId: Uint8Array): Group {
    const seed = this.keys.accountSeed()
    const { group, groupSeed } = contactGroup(seed, accountId)
    erase(seed, groupSeed)
    return group
  }

  async #closeSession(id: string): Promise<void> {
    const session = this.#sessions.get(id)
    this.#sessions.delete(id)
    await (await session?.catch(() => undefined))?.close()
  }

  #assertOther(accountId: Uint8Array, options: { allowBlocked?: boolean } = {}): string {
    assertBytes(accountId, 'accountId', KEY_BYTES)
    this.#assertOpen()
    const contact = toHex(accountId)
    if (contact === toHex(this.keys.accountId)) throw invalidState(contact, 'self')
    if (!options.allowBlocked && this.state.blocked.has(contact)) {
      throw groupsError(GroupsErrorCode.CONTACT_BLOCKED, 'this account is blocked', { data: { contact } })
    }
    return contact
  }

  #assertOpen(): void {
    if (this.#closed) throw groupsError(GroupsErrorCode.SESSION_CLOSED, 'the account was closed')
  }
}

async function loadKeys(secrets: SecretStore, given: AccountKeys | undefined): Promise<AccountKeys> {
  const stored = await secrets.get(KEYS_NAME)
  if (stored === undefined) {
    const keys = given ?? AccountKeys.create()
    await secrets.put(KEYS_NAME, utf8ToBytes(JSON.stringify(keys.exportState())))
    return keys
  }
  const keys = AccountKeys.fromState(JSON.parse(bytesToUtf8(stored)) as AccountStateV1)
  stored.fill(0)
  if (given !== undefined && toHex(given.accountId) !== toHex(keys.accountId)) {
    throw groupsError(GroupsErrorCode.ACCOUNT_MISMATCH, 'the secret store holds another account', {
      data: { stored: toHex(keys.accountId), given: toHex(given.accountId) },
    })
  }
  return keys
}

function unknownGroup(id: string) {
  return groupsError(GroupsErrorCode.GROUP_UNKNOWN, 'the account is not in this group', {
    data: { group: id },
  })
}

function invalidState(contact: string, status: string | undefined) {
  return groupsError(
    GroupsErrorCode.INVALID_CONTACT_STATE,
    `this contact-request step is not allowed from status ${status ?? 'none'}`,
    { data: { contact, status: status ?? null } },
  )
}

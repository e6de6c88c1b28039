import { isWeshError, toHex } from '@wesh/crypto'
import { type ContactCard, parseContactCard } from './contact-card.js'
import { EventType, type GroupEvent } from './group-event.js'
import type { Group } from './group.js'
import { parseInvitation } from './invitation.js'
import { type WireMessage, encodeWire } from './wire.js'

// PROTOCOL.md §5 events 101–112: what every device of an account agrees on — the groups it is in, whether it takes
// contact requests, its current rendezvous seed, its contacts and whom it blocks. Folded from the account group's
// metadata log in converged order, so all devices of the account show the same contacts. Map keys are lowercase hex.

/** Where a contact stands, after the last event about it in the order. */
export const ContactStatus = {
  /** We asked for the request to be sent (event 106); the network side has not delivered it yet. */
  OUTGOING_ENQUEUED: 'outgoing-enqueued',
  /** The request reached the responder (event 107): the contact group is live on our side. */
  OUTGOING_SENT: 'outgoing-sent',
  /** Someone asked to become our contact (event 108) and we have not answered. */
  INCOMING_RECEIVED: 'incoming-received',
  /** We discarded their request (event 109). */
  INCOMING_DISCARDED: 'incoming-discarded',
  /** We accepted their request (event 110): the contact group is live on both sides. */
  ACCEPTED: 'accepted',
} as const
export type ContactStatus = (typeof ContactStatus)[keyof typeof ContactStatus]

export interface ContactState {
  readonly accountId: Uint8Array
  readonly status: ContactStatus
  /** Their public rendezvous seed, from their card or their request. */
  readonly publicRendezvousSeed: Uint8Array | undefined
  /** Their card's application bytes (a display name). */
  readonly metadata: Uint8Array
  /** For an outgoing request: the bytes we send along as our own card's metadata. */
  readonly ownMetadata: Uint8Array | undefined
}

export interface AccountState {
  /** Groups joined (event 101) and not left since (event 102), by hex group ID. */
  readonly groups: ReadonlyMap<string, Group>
  readonly contactRequestsEnabled: boolean
  /** The public rendezvous seed set by the last reset (event 105), if any: it replaces the one in the account keys. */
  readonly publicRendezvousSeed: Uint8Array | undefined
  readonly contacts: ReadonlyMap<string, ContactState>
  readonly blocked: ReadonlySet<string>
}

/** True when the contact group with this contact is live for us: we sent our request, or accepted theirs. */
export function isActiveContact(contact: ContactState): boolean {
  return (
    contact.status === ContactStatus.OUTGOING_ENQUEUED ||
    contact.status === ContactStatus.OUTGOING_SENT ||
    contact.status === ContactStatus.ACCEPTED
  )
}

/** Why the account fold ignored an event; the group fold records it. */
export const AccountFoldRejection = {
  /** An event 101 whose group does not pass invitation checks, or an event 106/108 with a malformed card. */
  MALFORMED_ACCOUNT_EVENT: 'MALFORMED_ACCOUNT_EVENT',
  /** A transition that the contact's current status does not allow (accepting a request never received…). */
  INVALID_TRANSITION: 'INVALID_TRANSITION',
} as const
export type AccountFoldRejection = (typeof AccountFoldRejection)[keyof typeof AccountFoldRejection]

type AccountEvent = Extract<
  GroupEvent,
  { eventType: 101 | 102 | 103 | 104 | 105 | 106 | 107 | 108 | 109 | 110 | 111 | 112 }
>

/** The account fold: applied by the group fold to account events written by a device of the account. */
export class AccountFold {
  readonly #groups = new Map<string, Group>()
  readonly #contacts = new Map<string, ContactState>()
  readonly #blocked = new Set<string>()
  #enabled = false
  #seed: Uint8Array | undefined

  apply(event: AccountEvent): AccountFoldRejection | undefined {
    switch (event.eventType) {
      case EventType.ACCOUNT_GROUP_JOINED: {
        const group = groupOf(event.payload.group)
        if (group === undefined) return AccountFoldRejection.MALFORMED_ACCOUNT_EVENT
        this.#groups.set(toHex(group.publicKey), group)
        return undefined
      }
      case EventType.ACCOUNT_GROUP_LEFT:
        this.#groups.delete(toHex(event.payload.groupPk))
        return undefined
      case EventType.ACCOUNT_CONTACT_REQUEST_DISABLED:
        this.#enabled = false
        return undefined
      case EventType.ACCOUNT_CONTACT_REQUEST_ENABLED:
        this.#enabled = true
        return undefined
      case EventType.ACCOUNT_CONTACT_REQUEST_REFERENCE_RESET:
        if (event.payload.publicRendezvousSeed.length !== 32)
          return AccountFoldRejection.MALFORMED_ACCOUNT_EVENT
        this.#seed = new Uint8Array(event.payload.publicRendezvousSeed)
        return undefined
      case EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_ENQUEUED: {
        const card = cardOf(event.payload.contact)
        if (card === undefined) return AccountFoldRejection.MALFORMED_ACCOUNT_EVENT
        const current = this.#contacts.get(toHex(card.accountId))
        // A request to someone already our contact changes nothing; one who asked us first is accepted by asking back.
        if (current !== undefined && isActiveContact(current)) return AccountFoldRejection.INVALID_TRANSITION
        this.#contacts.set(toHex(card.accountId), {
          accountId: card.accountId,
          status: ContactStatus.OUTGOING_ENQUEUED,
          publicRendezvousSeed: card.publicRendezvousSeed,
          metadata: card.metadata,
          ownMetadata: new Uint8Array(event.payload.ownMetadata),
        })
        return undefined
      }
      case EventType.ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT:
        return this.#move(
          event.payload.contactPk,
          [ContactStatus.OUTGOING_ENQUEUED],
          ContactStatus.OUTGOING_SENT,
        )
      case EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED: {
        const key = toHex(event.payload.contactPk)
        const current = this.#contacts.get(key)
        if (current !== undefined && current.status !== ContactStatus.INCOMING_DISCARDED) {
          return AccountFoldRejection.INVALID_TRANSITION
        }
        const seed = event.payload.contactRendezvousSeed
        if (seed.length !== 0 && seed.length !== 32) return AccountFoldRejection.MALFORMED_ACCOUNT_EVENT
        this.#contacts.set(key, {
          accountId: new Uint8Array(event.payload.contactPk),
          status: ContactStatus.INCOMING_RECEIVED,
          publicRendezvousSeed: seed.length === 0 ? undefined : new Uint8Array(seed),
          metadata: new Uint8Array(event.payload.contactMetadata),
          ownMetadata: undefined,
        })
        return undefined
      }
      case EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_DISCARDED:
        return this.#move(
          event.payload.contactPk,
          [ContactStatus.INCOMING_RECEIVED],
          ContactStatus.INCOMING_DISCARDED,
        )
      case EventType.ACCOUNT_CONTACT_REQUEST_INCOMING_ACCEPTED:
        return this.#move(event.payload.contactPk, [ContactStatus.INCOMING_RECEIVED], ContactStatus.ACCEPTED)
      case EventType.ACCOUNT_CONTACT_BLOCKED:
        this.#blocked.add(toHex(event.payload.contactPk))
        return undefined
      case EventType.ACCOUNT_CONTACT_UNBLOCKED:
        this.#blocked.delete(toHex(event.payload.contactPk))
        return undefined
    }
  }

  state(): AccountState {
    return {
      groups: new Map(this.#groups),
      contactRequestsEnabled: this.#enabled,
      publicRendezvousSeed: this.#seed,
      contacts: new Map(this.#contacts),
      blocked: new Set(this.#blocked),
    }
  }

  #move(
    contactPk: Uint8Array,
    from: readonly ContactStatus[],
    to: ContactStatus,
  ): AccountFoldRejection | undefined {
    const key = toHex(contactPk)
    const current = this.#contacts.get(key)
    if (current === undefined || !from.includes(current.status))
      return AccountFoldRejection.INVALID_TRANSITION
    this.#contacts.set(key, { ...current, status: to })
    return undefined
  }
}

/** True for events 101–112, which the account fold reads. */
export function isAccountEvent(event: GroupEvent): event is AccountEvent {
  return event.eventType >= 101 && event.eventType <= 112
}

function groupOf(wire: WireMessage<'Group'> | undefined): Group | undefined {
  if (wire === undefined) return undefined
  try {
    return parseInvitation(encodeWire('Group', wire))
  } catch (error) {
    if (isWeshError(error)) return undefined
    throw error
  }
}

function cardOf(wire: WireMessage<'ShareableContact'> | undefined): ContactCard | undefined {
  if (wire === undefined) return undefined
  try {
    return parseContactCard(encodeWire('ShareableContact', wire))
  } catch (error) {
    if (isWeshError(error)) return undefined
    throw error
  }
}

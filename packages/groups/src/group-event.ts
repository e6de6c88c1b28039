import {
  CryptoErrorCode,
  WeshError,
  assertBytes,
  constantTimeEqual,
  ed25519PublicKey,
  randomBytes,
  seal,
  verify,
} from '@wesh/crypto'
import { KEY_BYTES, NONCE_BYTES, SIGNATURE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { type Group, GroupType } from './group.js'
import { malformed, openOrFail } from './message-envelope.js'
import { type SigningKey, signWith } from './signer.js'
import { type WireInput, type WireMessage, decodeWire, encodeWire } from './wire.js'

/** Metadata event types (PROTOCOL.md §5, reference numbers). Any other number is rejected. */
export const EventType = {
  GROUP_MEMBER_DEVICE_ADDED: 1,
  GROUP_DEVICE_CHAIN_KEY_ADDED: 2,
  ACCOUNT_GROUP_JOINED: 101,
  ACCOUNT_GROUP_LEFT: 102,
  ACCOUNT_CONTACT_REQUEST_DISABLED: 103,
  ACCOUNT_CONTACT_REQUEST_ENABLED: 104,
  ACCOUNT_CONTACT_REQUEST_REFERENCE_RESET: 105,
  ACCOUNT_CONTACT_REQUEST_OUTGOING_ENQUEUED: 106,
  ACCOUNT_CONTACT_REQUEST_OUTGOING_SENT: 107,
  ACCOUNT_CONTACT_REQUEST_INCOMING_RECEIVED: 108,
  ACCOUNT_CONTACT_REQUEST_INCOMING_DISCARDED: 109,
  ACCOUNT_CONTACT_REQUEST_INCOMING_ACCEPTED: 110,
  ACCOUNT_CONTACT_BLOCKED: 111,
  ACCOUNT_CONTACT_UNBLOCKED: 112,
  CONTACT_ALIAS_KEY_ADDED: 201,
  MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED: 302,
  MULTI_MEMBER_GROUP_ADMIN_ROLE_GRANTED: 303,
  GROUP_REPLICATING: 403,
  GROUP_METADATA_PAYLOAD_SENT: 1001,
} as const
export type EventType = (typeof EventType)[keyof typeof EventType]

/** The payload message of each event type. */
export const EVENT_PAYLOAD_MESSAGES = {
  1: 'GroupMemberDeviceAdded',
  2: 'GroupDeviceChainKeyAdded',
  101: 'AccountGroupJoined',
  102: 'AccountGroupLeft',
  103: 'AccountContactRequestDisabled',
  104: 'AccountContactRequestEnabled',
  105: 'AccountContactRequestReferenceReset',
  106: 'AccountContactRequestOutgoingEnqueued',
  107: 'AccountContactRequestOutgoingSent',
  108: 'AccountContactRequestIncomingReceived',
  109: 'AccountContactRequestIncomingDiscarded',
  110: 'AccountContactRequestIncomingAccepted',
  111: 'AccountContactBlocked',
  112: 'AccountContactUnblocked',
  201: 'ContactAliasKeyAdded',
  302: 'MultiMemberGroupInitialMemberAnnounced',
  303: 'MultiMemberGroupAdminRoleGranted',
  403: 'GroupReplicating',
  1001: 'GroupMetadataPayloadSent',
} as const satisfies Record<EventType, string>
type PayloadName<T extends EventType> = (typeof EVENT_PAYLOAD_MESSAGES)[T]

/** A decoded metadata event: its type and typed payload. */
export type GroupEvent = {
  [T in EventType]: { readonly eventType: T; readonly payload: WireMessage<PayloadName<T>> }
}[EventType]

/** What {@link sealGroupEvent} takes: a type and its payload fields (device-signed events may leave out `devicePk`). */
export type GroupEventInput = {
  [T in EventType]: { readonly eventType: T; readonly payload: WireInput<WireMessage<PayloadName<T>>> }
}[EventType]

/** A metadata event opened and verified by {@link openGroupEvent}. */
export type OpenedGroupEvent = GroupEvent & {
  /** The key that signed the payload: the writing device, or the group key for event 302. */
  readonly signerPk: Uint8Array
  /** The payload bytes as received (what `sig` covers). */
  readonly payloadBytes: Uint8Array
  /**
   * The envelope nonce: random per event, and bound to it by the secretbox. Anyone holding a log entry (a replica
   * included) can append its signed payload again; the fold ignores a second event with the same nonce.
   */
  readonly nonce: Uint8Array
}

/** True for an event type PROTOCOL.md §5 lists. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'number' && Object.hasOwn(EVENT_PAYLOAD_MESSAGES, value)
}

/** True for the events that only the account group may carry (101–112). */
export function isAccountOnlyEvent(eventType: EventType): boolean {
  return eventType >= 101 && eventType <= 112
}

/** Checks that `eventType` is known and allowed in a group of `groupType`; throws `UNKNOWN_EVENT_TYPE` / `EVENT_NOT_ALLOWED`. */
export function assertEventAllowed(eventType: number, groupType: GroupType): asserts eventType is EventType {
  if (!isEventType(eventType)) {
    throw groupsError(GroupsErrorCode.UNKNOWN_EVENT_TYPE, `unknown metadata event type ${eventType}`, {
      data: { eventType },
    })
  }
  if (isAccountOnlyEvent(eventType) && groupType !== GroupType.ACCOUNT) {
    throw groupsError(
      GroupsErrorCode.EVENT_NOT_ALLOWED,
      `event ${eventType} is only allowed in the account group`,
      {
        data: { eventType, groupType },
      },
    )
  }
}

const GROUP_SIGNED = EventType.MULTI_MEMBER_GROUP_INITIAL_MEMBER_ANNOUNCED

/**
 * Seals a metadata event (§5): `GroupMetadata { event_type, payload, sig = Sign(signingKey, payload),
 * protocol_metadata = {} }` inside `GroupEnvelope { nonce, event = Seal(secret, nonce, pb(GroupMetadata)) }`.
 * `signingKey` is the writing device's key, or the group key for event 302. A device-signed payload gets the
 * device's public key as `device_pk` unless it names it (which must then match). `nonce` is random unless given
 * (fixed only for test vectors).
 */
export function sealGroupEvent(args: {
  group: Pick<Group, 'secret' | 'groupType'>
  event: GroupEventInput
  signingKey: SigningKey
  nonce?: Uint8Array
}): Uint8Array {
  const { group, event, signingKey, nonce = randomBytes(NONCE_BYTES) } = args
  assertBytes(group.secret, 'secret', KEY_BYTES)
  assertBytes(nonce, 'nonce', NONCE_BYTES)
  assertEventAllowed(event.eventType, group.groupType)
  let payload: Record<string, unknown> = event.payload
  if (event.eventType !== GROUP_SIGNED) {
    const signerPk = signingKey instanceof Uint8Array ? ed25519PublicKey(signingKey) : signingKey.publicKey
    const named = payload.devicePk
    if (named === undefined) payload = { ...payload, devicePk: signerPk }
    else if (!(named instanceof Uint8Array) || !constantTimeEqual(named, signerPk)) {
      throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'payload.devicePk is not the signing key', {
        data: { argument: 'event.payload.devicePk' },
      })
    }
  }
  const payloadBytes = encodeWire(EVENT_PAYLOAD_MESSAGES[event.eventType], payload as never)
  const sig = signWith(signingKey, payloadBytes, 'signingKey')
  const metadata = encodeWire('GroupMetadata', {
    eventType: event.eventType,
    payload: payloadBytes,
    sig,
    protocolMetadata: {},
  })
  return encodeWire('GroupEnvelope', { nonce, event: seal(group.secret, nonce, metadata) })
}

/**
 * Opens and verifies a metadata event: decrypts with the group secret, rejects unknown types and account-only
 * events outside the account group, decodes the payload, checks every `*_pk` field is 32 bytes, verifies `sig`
 * over the payload bytes as received (by `device_pk`, or by the group ID for event 302) and, for event 1,
 * `member_sig = Sign(memberKey, device_pk)`. Throws `MALFORMED_MESSAGE`, `MESSAGE_TOO_LARGE`, `DECRYPTION_FAILED`,
 * `UNKNOWN_EVENT_TYPE`, `EVENT_NOT_ALLOWED` or `INVALID_SIGNATURE`.
 */
export function openGroupEvent(
  group: Pick<Group, 'secret' | 'groupType' | 'publicKey'>,
  envelope: Uint8Array,
): OpenedGroupEvent {
  assertBytes(group.secret, 'secret', KEY_BYTES)
  assertBytes(group.publicKey, 'publicKey', KEY_BYTES)
  const { nonce, event } = decodeWire('GroupEnvelope', envelope)
  if (nonce.length !== NONCE_BYTES) throw malformed('GroupEnvelope.nonce must be 24 bytes')
  const metadata = decodeWire('GroupMetadata', openOrFail(group.secret, nonce, event, 'metadata event'))
  const { eventType, payload: payloadBytes, sig } = metadata
  assertEventAllowed(eventType, group.groupType)
  const payload = decodeWire(EVENT_PAYLOAD_MESSAGES[eventType], payloadBytes) as unknown as Record<
    string,
    unknown
  >
  for (const [field, value] of Object.entries(payload)) {
    if (field.endsWith('Pk') && value instanceof Uint8Array && value.length !== KEY_BYTES) {
      throw malformed(`event ${eventType} field ${field} must be 32 bytes`)
    }
  }
  let signerPk: Uint8Array
  if (eventType === GROUP_SIGNED) signerPk = group.publicKey
  else {
    const devicePk = payload.devicePk
    if (!(devicePk instanceof Uint8Array) || devicePk.length !== KEY_BYTES) {
      throw malformed(`event ${eventType} must name its 32-byte device_pk`)
    }
    signerPk = devicePk
  }
  if (sig.length !== SIGNATURE_BYTES || !verify(signerPk, payloadBytes, sig)) {
    throw groupsError(GroupsErrorCode.INVALID_SIGNATURE, `event ${eventType} signature does not verify`, {
      data: { eventType },
    })
  }
  if (eventType === EventType.GROUP_MEMBER_DEVICE_ADDED) {
    verifyMemberDevice(payload as unknown as WireMessage<'GroupMemberDeviceAdded'>)
  }
  return {
    eventType,
    payload,
    signerPk,
    payloadBytes,
    nonce: new Uint8Array(nonce),
  } as unknown as OpenedGroupEvent
}

/**
 * The payload of `GroupMemberDeviceAdded` (event 1) binding `devicePk` to the member key:
 * `member_sig = Sign(memberKey, device_pk)`.
 */
export function memberDeviceAdded(
  memberKey: SigningKey,
  devicePk: Uint8Array,
): { memberPk: Uint8Array; devicePk: Uint8Array; memberSig: Uint8Array } {
  assertBytes(devicePk, 'devicePk', KEY_BYTES)
  const memberPk = memberKey instanceof Uint8Array ? ed25519PublicKey(memberKey) : memberKey.publicKey
  return {
    memberPk,
    devicePk: new Uint8Array(devicePk),
    memberSig: signWith(memberKey, devicePk, 'memberKey'),
  }
}

/** Checks a `GroupMemberDeviceAdded` binding; throws `MALFORMED_MESSAGE` or `INVALID_SIGNATURE`. */
export function verifyMemberDevice(payload: {
  memberPk: Uint8Array
  devicePk: Uint8Array
  memberSig: Uint8Array
}): void {
  const { memberPk, devicePk, memberSig } = payload
  if (memberPk.length !== KEY_BYTES || devicePk.length !== KEY_BYTES) {
    throw malformed('GroupMemberDeviceAdded keys must be 32 bytes')
  }
  if (memberSig.length !== SIGNATURE_BYTES || !verify(memberPk, devicePk, memberSig)) {
    throw groupsError(GroupsErrorCode.INVALID_SIGNATURE, 'member_sig does not bind device_pk to member_pk')
  }
}

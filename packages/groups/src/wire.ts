import { assertBytes } from '@wesh/crypto'
import type { Uint8ArrayList } from 'uint8arraylist'
import {
  MAX_APP_EVENT_BYTES,
  MAX_CONTACT_CARD_BYTES,
  MAX_DEVICE_CHAIN_KEY_BYTES,
  MAX_ENVELOPE_BYTES,
  MAX_EVENT_PAYLOAD_BYTES,
  MAX_HANDSHAKE_FRAME_BYTES,
  MAX_HEADER_METADATA_ENTRIES,
  MAX_HEADERS_BYTES,
  MAX_INVITATION_BYTES,
  MAX_POLL_OPTIONS,
  MAX_SIGNED_ENTRY_BYTES,
} from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import * as app from './proto/app.js'
import * as hs from './proto/handshake.js'
import * as pt from './proto/protocoltypes.js'

// PROTOCOL.md §4–§6.1 wire messages. Every decoder runs through `decodeWire`: a size check against the
// message's own limit first, then protons, whose every failure becomes MALFORMED_MESSAGE. Decoded byte fields
// are views into the input: copy them before erasing or reusing the input buffer.

interface GeneratedCodec<T> {
  encode(value: Partial<T>): Uint8Array
  decode(bytes: Uint8Array | Uint8ArrayList, options?: { limits?: object }): T
}

interface WireEntry<T> {
  readonly codec: GeneratedCodec<T>
  readonly max: number
  readonly limits?: object
}

function entry<T>(codec: GeneratedCodec<T>, max: number, limits?: object): WireEntry<T> {
  return limits === undefined ? { codec, max } : { codec, max, limits }
}

const WIRE = {
  Group: entry(pt.Group, MAX_INVITATION_BYTES),
  ShareableContact: entry(pt.ShareableContact, MAX_CONTACT_CARD_BYTES),
  EncryptedMessage: entry(pt.EncryptedMessage, MAX_ENVELOPE_BYTES),
  MessageHeaders: entry(pt.MessageHeaders, MAX_HEADERS_BYTES, { metadata: MAX_HEADER_METADATA_ENTRIES }),
  MessageEnvelope: entry(pt.MessageEnvelope, MAX_ENVELOPE_BYTES),
  GroupMetadata: entry(pt.GroupMetadata, MAX_ENVELOPE_BYTES),
  GroupEnvelope: entry(pt.GroupEnvelope, MAX_ENVELOPE_BYTES),
  SignedEntry: entry(pt.SignedEntry, MAX_SIGNED_ENTRY_BYTES),
  DeviceChainKey: entry(pt.DeviceChainKey, MAX_DEVICE_CHAIN_KEY_BYTES),
  GroupMemberDeviceAdded: entry(pt.GroupMemberDeviceAdded, MAX_EVENT_PAYLOAD_BYTES),
  GroupDeviceChainKeyAdded: entry(pt.GroupDeviceChainKeyAdded, MAX_EVENT_PAYLOAD_BYTES),
  AccountGroupJoined: entry(pt.AccountGroupJoined, MAX_EVENT_PAYLOAD_BYTES),
  AccountGroupLeft: entry(pt.AccountGroupLeft, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactRequestDisabled: entry(pt.AccountContactRequestDisabled, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactRequestEnabled: entry(pt.AccountContactRequestEnabled, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactRequestReferenceReset: entry(pt.AccountContactRequestReferenceReset, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactRequestOutgoingEnqueued: entry(
    pt.AccountContactRequestOutgoingEnqueued,
    MAX_EVENT_PAYLOAD_BYTES,
  ),
  AccountContactRequestOutgoingSent: entry(pt.AccountContactRequestOutgoingSent, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactRequestIncomingReceived: entry(
    pt.AccountContactRequestIncomingReceived,
    MAX_EVENT_PAYLOAD_BYTES,
  ),
  AccountContactRequestIncomingDiscarded: entry(
    pt.AccountContactRequestIncomingDiscarded,
    MAX_EVENT_PAYLOAD_BYTES,
  ),
  AccountContactRequestIncomingAccepted: entry(
    pt.AccountContactRequestIncomingAccepted,
    MAX_EVENT_PAYLOAD_BYTES,
  ),
  AccountContactBlocked: entry(pt.AccountContactBlocked, MAX_EVENT_PAYLOAD_BYTES),
  AccountContactUnblocked: entry(pt.AccountContactUnblocked, MAX_EVENT_PAYLOAD_BYTES),
  ContactAliasKeyAdded: entry(pt.ContactAliasKeyAdded, MAX_EVENT_PAYLOAD_BYTES),
  MultiMemberGroupInitialMemberAnnounced: entry(
    pt.MultiMemberGroupInitialMemberAnnounced,
    MAX_EVENT_PAYLOAD_BYTES,
  ),
  MultiMemberGroupAdminRoleGranted: entry(pt.MultiMemberGroupAdminRoleGranted, MAX_EVENT_PAYLOAD_BYTES),
  GroupReplicating: entry(pt.GroupReplicating, MAX_EVENT_PAYLOAD_BYTES),
  GroupMetadataPayloadSent: entry(pt.GroupMetadataPayloadSent, MAX_EVENT_PAYLOAD_BYTES),
  HelloPayload: entry(hs.HelloPayload, MAX_HANDSHAKE_FRAME_BYTES),
  BoxEnvelope: entry(hs.BoxEnvelope, MAX_HANDSHAKE_FRAME_BYTES),
  RequesterAuthenticatePayload: entry(hs.RequesterAuthenticatePayload, MAX_HANDSHAKE_FRAME_BYTES),
  ResponderAcceptPayload: entry(hs.ResponderAcceptPayload, MAX_HANDSHAKE_FRAME_BYTES),
  RequesterAcknowledgePayload: entry(hs.RequesterAcknowledgePayload, MAX_HANDSHAKE_FRAME_BYTES),
  WeshAppEvent: entry(app.WeshAppEvent, MAX_APP_EVENT_BYTES, { pollCreated: { options: MAX_POLL_OPTIONS } }),
} as const

/** Names of the wire messages this package reads and writes (the reference's message names). */
export type WireMessageName = keyof typeof WIRE

/** A decoded wire message. */
export type WireMessage<N extends WireMessageName> = (typeof WIRE)[N] extends WireEntry<infer T> ? T : never

/** What `encodeWire` accepts: every field optional (proto3 defaults), any `Uint8Array`. */
export type WireInput<T> = T extends Uint8Array
  ? Uint8Array
  : T extends bigint | number | string | boolean
    ? T
    : T extends Map<infer K, infer V>
      ? ReadonlyMap<K, V>
      : T extends readonly (infer E)[]
        ? readonly WireInput<E>[]
        : { [K in keyof T]?: WireInput<T[K]> }

/** The largest encoding accepted by `decodeWire` for each message. */
export const WIRE_MAX_BYTES: Readonly<Record<WireMessageName, number>> = Object.freeze(
  Object.fromEntries(Object.entries(WIRE).map(([name, { max }]) => [name, max])) as Record<
    WireMessageName,
    number
  >,
)

/** Every wire message name, for tests and tools. */
export const WIRE_MESSAGE_NAMES = Object.freeze(Object.keys(WIRE) as WireMessageName[])

/**
 * Decodes `bytes` as message `name`. Throws `MESSAGE_TOO_LARGE` past `WIRE_MAX_BYTES[name]` and
 * `MALFORMED_MESSAGE` on anything protobuf cannot parse (truncation, bad wire type, too many repeated elements).
 * Unknown fields are skipped, as protobuf requires.
 */
export function decodeWire<N extends WireMessageName>(name: N, bytes: Uint8Array): WireMessage<N> {
  assertBytes(bytes, 'bytes')
  const { codec, max, limits } = WIRE[name] as WireEntry<WireMessage<N>>
  if (bytes.length > max) {
    throw groupsError(GroupsErrorCode.MESSAGE_TOO_LARGE, `${name} is ${bytes.length} bytes, over ${max}`, {
      data: { message: name, max, actual: bytes.length },
    })
  }
  try {
    return limits === undefined ? codec.decode(bytes) : codec.decode(bytes, { limits })
  } catch (cause) {
    throw groupsError(GroupsErrorCode.MALFORMED_MESSAGE, `bytes are not a valid ${name}`, {
      data: { message: name },
      cause,
    })
  }
}

/** Encodes message `name` (proto3: fields ascending, defaults omitted). Throws `MESSAGE_TOO_LARGE` past its limit. */
export function encodeWire<N extends WireMessageName>(name: N, value: WireInput<WireMessage<N>>): Uint8Array {
  const { codec, max } = WIRE[name] as WireEntry<WireMessage<N>>
  const bytes = codec.encode(value as Partial<WireMessage<N>>)
  if (bytes.length > max) {
    throw groupsError(
      GroupsErrorCode.MESSAGE_TOO_LARGE,
      `${name} would be ${bytes.length} bytes, over ${max}`,
      {
        data: { message: name, max, actual: bytes.length },
      },
    )
  }
  return bytes
}

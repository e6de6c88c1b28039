/**
 * The pure protocol layer of Wesh groups (PROTOCOL.md §1, §4, §5, §6.1): accounts, the three group types and their
 * key schedule, invitations and contact cards, log entries, message and metadata envelopes, chain-key boxes, the
 * contact-request handshake's keys and boxes, and the fold of a metadata log into group state. No I/O.
 *
 * @example
 * ```ts
 * import { AccountKeys, contactGroup, sealMessage, openMessage } from '@wesh/groups'
 * import { RatchetSender, RatchetReceiver } from '@wesh/ratchet'
 * import { utf8ToBytes } from '@wesh/crypto'
 *
 * const alice = AccountKeys.create(), bob = AccountKeys.create()
 * const { group } = contactGroup(alice.accountSeed(), bob.accountId) // Bob derives the same group
 * const sender = RatchetSender.create(group.publicKey)
 * const receiver = RatchetReceiver.create(group.publicKey, sender.chain()) // shared in a chain-key box
 * const { envelope } = sealMessage({ secret: group.secret, sender, deviceKey: alice.deviceSeed(), plaintext: utf8ToBytes('hi') })
 * openMessage({ secret: group.secret, envelope, receiverFor: () => receiver }).plaintext // 'hi' as bytes
 * ```
 * @packageDocumentation
 */
export { GroupsErrorCode } from './errors.js'
export * from './constants.js'
export {
  decodeWire,
  encodeWire,
  WIRE_MAX_BYTES,
  WIRE_MESSAGE_NAMES,
  type WireMessageName,
  type WireMessage,
  type WireInput,
} from './wire.js'
export { AccountKeys, type AccountStateV1 } from './account.js'
export {
  deriveContactGroup,
  deriveLinkKey,
  deriveMemberKeySeed,
  deriveSignPublicKey,
  deriveAttachmentKey,
  type ContactGroupKeys,
} from './group-keys.js'
export {
  GroupType,
  isGroupType,
  createMultiMemberGroup,
  accountGroup,
  contactGroup,
  memberKeySeed,
  type Group,
  type GroupWithKey,
} from './group.js'
export {
  GROUP_LINK_PREFIX,
  encodeInvitation,
  parseInvitation,
  invitationLink,
  parseInvitationLink,
} from './invitation.js'
export {
  CONTACT_LINK_PREFIX,
  encodeContactCard,
  parseContactCard,
  contactCardLink,
  parseContactCardLink,
  type ContactCard,
} from './contact-card.js'
export type { SigningKey } from './signer.js'
export { entrySigningInput, signEntry, verifyEntry, verifyEntryAsync } from './entry.js'
export {
  sealMessage,
  openMessageHeaders,
  openMessage,
  type DeviceKey,
  type OpenedMessageHeaders,
  type OpenedMessage,
} from './message-envelope.js'
export {
  EventType,
  EVENT_PAYLOAD_MESSAGES,
  isEventType,
  isAccountOnlyEvent,
  assertEventAllowed,
  sealGroupEvent,
  openGroupEvent,
  memberDeviceAdded,
  verifyMemberDevice,
  type GroupEvent,
  type GroupEventInput,
  type OpenedGroupEvent,
} from './group-event.js'
export { sealDeviceChainKey, openDeviceChainKey } from './chain-key-box.js'
export { sealAttachment, openAttachment } from './attachment.js'
export {
  requesterHandshakeKeys,
  responderHandshakeKeys,
  responderAuthenticateKey,
  libp2pPublicKey,
  parseLibp2pPublicKey,
  encodeHello,
  decodeHello,
  sealRequesterAuthenticate,
  openRequesterAuthenticate,
  sealResponderAccept,
  openResponderAccept,
  encodeRequesterAcknowledge,
  decodeRequesterAcknowledge,
  type HandshakeKeys,
} from './handshake.js'
export { WESH_APP_SCHEMA, encodeAppEvent, decodeAppEvent, createPoll, type AppEvent } from './app-event.js'
export {
  FoldRejection,
  GroupFold,
  foldGroupEvents,
  tallyPoll,
  type FoldOptions,
  type GroupState,
  type MemberState,
  type PollState,
  type ReplicaState,
} from './group-state.js'
export {
  AccountFold,
  AccountFoldRejection,
  ContactStatus,
  isAccountEvent,
  isActiveContact,
  type AccountState,
  type ContactState,
} from './account-state.js'

/** Length of every key, seed, group ID, secret, link key and chain key. */
export const KEY_BYTES = 32
/** Length of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64
/** Length of a secretbox nonce. */
export const NONCE_BYTES = 24

/** Largest application payload: a message's plaintext or a metadata event's payload. */
export const MAX_PAYLOAD_BYTES = 1_048_576
/** Largest metadata event payload (`GroupMetadata.payload`): an application payload plus the event's own fields. */
export const MAX_EVENT_PAYLOAD_BYTES = MAX_PAYLOAD_BYTES + 1_024
/** Largest `MessageEnvelope`, `EncryptedMessage`, `GroupEnvelope` or `GroupMetadata`: a payload plus headers, tags and signatures. */
export const MAX_ENVELOPE_BYTES = MAX_PAYLOAD_BYTES + 4_096
/** Largest `SignedEntry`, the payload of one log entry. */
export const MAX_SIGNED_ENTRY_BYTES = MAX_ENVELOPE_BYTES + 128
/** Largest `MessageHeaders`. */
export const MAX_HEADERS_BYTES = 4_096
/** Most entries in `MessageHeaders.metadata`. */
export const MAX_HEADER_METADATA_ENTRIES = 32
/** Largest invitation, `pb(Group)`. */
export const MAX_INVITATION_BYTES = 1_024
/** Largest contact card, `pb(ShareableContact)`: it must fit a 2 048-byte handshake frame (PROTOCOL.md §6.1). */
export const MAX_CONTACT_CARD_BYTES = 2_048
/** Largest `DeviceChainKey` plaintext. */
export const MAX_DEVICE_CHAIN_KEY_BYTES = 128
/** Largest handshake frame body (PROTOCOL.md §6.1). */
export const MAX_HANDSHAKE_FRAME_BYTES = 2_048
/** Largest `wesh://` link, in characters. */
export const MAX_LINK_CHARS = 4_096

/** Largest Wesh application event (group name, poll, vote) inside a `GroupMetadataPayloadSent`. */
export const MAX_APP_EVENT_BYTES = 32_768
/** Longest group name, in UTF-8 bytes. */
export const MAX_GROUP_NAME_BYTES = 256
/** Longest poll question, in UTF-8 bytes. */
export const MAX_POLL_QUESTION_BYTES = 1_024
/** Longest poll option, in UTF-8 bytes. */
export const MAX_POLL_OPTION_BYTES = 256
/** Most options of one poll. */
export const MAX_POLL_OPTIONS = 64
/** Length of a poll ID. */
export const POLL_ID_BYTES = 16

/** Version of the serialised account. */
export const ACCOUNT_STATE_VERSION = 1
/** Largest attachment sealed in one piece (PROTOCOL.md §4 attachment key): 64 MiB. */
export const MAX_ATTACHMENT_BYTES = 67_108_864

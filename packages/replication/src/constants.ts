/** Protocol id of the replication request protocol (PROTOCOL.md §8). */
export const REPLICATION_PROTOCOL = '/wesh/replication/1.0.0'

/**
 * Largest request frame read on `/wesh/replication/1.0.0`: a group is under 200 bytes and a token at most
 * {@link MAX_TOKEN_LENGTH} characters, so 1 KiB leaves room without letting a peer make the node buffer more.
 */
export const MAX_REQUEST_BYTES = 1_024
/** Largest response frame: a status with {@link MAX_REPORTED_HEADS} heads per log fits well within it. */
export const MAX_RESPONSE_BYTES = 16_384
/** Heads listed per log in a status; a log with more reports the first ones and its true count of entries. */
export const MAX_REPORTED_HEADS = 64
/** Longest bearer token accepted, in characters. */
export const MAX_TOKEN_LENGTH = 256
/** Shortest bearer token a tokens file may hold: 16 characters, so that tokens cannot be guessed. */
export const MIN_TOKEN_LENGTH = 16
/** Largest HTTP request body read by the JSON API. */
export const MAX_HTTP_BODY_BYTES = 4_096
/** Most tokens in one tokens file. */
export const MAX_TOKENS = 10_000

/** Byte lengths of a replicated group's fields (PROTOCOL.md §4). */
export const GROUP_ID_BYTES = 32
export const SIGN_PUBLIC_KEY_BYTES = 32
export const LINK_KEY_BYTES = 32
export const LINK_KEY_SIGNATURE_BYTES = 64
/** Time a replica gives a peer to send its request and read the answer, and a client waits for the answer. */
export const REQUEST_TIMEOUT_MS = 10_000
/** Concurrent `/wesh/replication/1.0.0` streams accepted per connection. */
export const MAX_INBOUND_STREAMS = 4

/**
 * Protocol id on which an account device links a replication device (PROTOCOL.md §8): the §6.3 link-code
 * exchange of `@wesh/contacts`, carrying a {@link MAX_REPLICATION_DEVICE_GRANT_BYTES}-bounded grant instead of the
 * account keys. Its own id, so a device-link code can never hand account keys to a replication device, nor a
 * replication-device code hand a grant to a device.
 */
export const REPLICATION_DEVICE_LINK_PROTOCOL = '/wesh/replication_device_link/1.0.0'
/** Largest grant a replication device reads: the account group's public part and a token fit in 400 bytes. */
export const MAX_REPLICATION_DEVICE_GRANT_BYTES = 1_024
/**
 * `authentication_url` of the event 403 that lists a replication device in the account group: the account's
 * devices authenticate to it with {@link replicationDeviceToken}, derived from the account group's secret.
 */
export const REPLICATION_DEVICE_AUTHENTICATION = 'wesh://replication-device/v1'

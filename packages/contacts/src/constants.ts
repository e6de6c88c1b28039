import { MAX_HANDSHAKE_FRAME_BYTES } from '@wesh/groups'

/** PROTOCOL.md §6.1: the reference implementation's contact-request protocol id. */
export const CONTACT_REQUEST_PROTOCOL = '/wesh/contact_req/1.0.0'
/** PROTOCOL.md §6.1: every handshake frame, the requester's card included, is at most 2 048 bytes. */
export const MAX_CONTACT_REQUEST_FRAME_BYTES = MAX_HANDSHAKE_FRAME_BYTES
/** Default time allowed for one whole contact-request handshake, either side. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 20_000
/** Inbound contact-request handshakes one node runs at once; more are reset at once. */
export const MAX_CONCURRENT_HANDSHAKES = 32

/** First wait before retrying an outgoing request that could not be delivered. */
export const DEFAULT_RETRY_INITIAL_MS = 5_000
/** Longest wait between two delivery attempts of an outgoing request (back-off doubles up to it). */
export const DEFAULT_RETRY_MAX_MS = 15 * 60_000

/** PROTOCOL.md §6.3: protocol id of interactive device linking. */
export const DEVICE_LINK_PROTOCOL = '/wesh/device_link/1.0.0'
/** PROTOCOL.md §6.3: a link code expires 5 minutes after it is made (or at its first use). */
export const LINK_CODE_TTL_MS = 5 * 60_000
/** The one-time secret of a link code. */
export const LINK_SECRET_BYTES = 32
/** The public name of a link code, so that a device can hold several at once. */
export const LINK_CODE_ID_BYTES = 16
/** Fresh nonce each side adds to the link transcript. */
export const LINK_NONCE_BYTES = 32
/** Largest device-link frame: the account state without device key is about 200 bytes. */
export const MAX_DEVICE_LINK_FRAME_BYTES = 4_096
/** Addresses a link code carries (the QR code must stay scannable). */
export const MAX_LINK_CODE_ADDRESSES = 8
/** Wrong proofs a link code tolerates before it is revoked. */
export const MAX_LINK_ATTEMPTS = 3
/** Default time allowed for one device-link exchange. */
export const DEFAULT_LINK_TIMEOUT_MS = 20_000

/** Version of the account key file. */
export const KEY_FILE_VERSION = 1
/**
 * scrypt cost of the key file: N = 2^17, r = 8, p = 1 (128 MiB of memory, OWASP's recommended minimum for
 * scrypt). Files record their parameters; reading accepts N from 2^14 to 2^18 (at most 256 MiB), r = 8, p 1–4,
 * so a crafted file cannot make a reader allocate gigabytes.
 */
export const KEY_FILE_SCRYPT_LOG_N = 17
export const KEY_FILE_SCRYPT_R = 8
export const KEY_FILE_SCRYPT_P = 1
export const MIN_KEY_FILE_SCRYPT_LOG_N = 14
export const MAX_KEY_FILE_SCRYPT_LOG_N = 18
export const MAX_KEY_FILE_SCRYPT_P = 4
/** Salt of the key file's KDF. */
export const KEY_FILE_SALT_BYTES = 32
/** Largest key file read (a state of about 200 bytes, base64, in JSON). */
export const MAX_KEY_FILE_BYTES = 4_096
/** Shortest passphrase accepted when writing a key file. */
export const MIN_PASSPHRASE_CHARS = 8

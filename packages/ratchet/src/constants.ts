/** Largest gap a receiver derives forward in one message (PROTOCOL.md §3); larger gaps are `RATCHET_TOO_FAR_AHEAD`. */
export const MAX_SKIP = 10_000
/** Most skipped message keys a receiver keeps per sending device; the oldest are evicted (and erased) first. */
export const MAX_SKIPPED_KEYS = 2_000
/** Length of a chain key and of a message key. */
export const CHAIN_KEY_BYTES = 32
/** Length of a group ID (the group's Ed25519 public key), the HKDF info of every step. */
export const GROUP_ID_BYTES = 32
/** Highest message number: counters are JavaScript safe integers (2^53 − 1), far beyond any real chain. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER
/** Version of the serialised sender and receiver state. */
export const STATE_VERSION = 1

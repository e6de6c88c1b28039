/** Bytes of the key that seals every value of a profile's secret store. */
export const STORE_KEY_BYTES = 32
/** Bytes of the daemon's API bearer token (hex in its file). */
export const API_TOKEN_BYTES = 32
/** Largest API request body the daemon reads: room for a message at the groups' `MAX_PAYLOAD_BYTES` as JSON. */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024
/** Messages `wesh read` prints without `--limit`. */
export const DEFAULT_READ_LIMIT = 50

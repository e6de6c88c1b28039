/** Default rotation period of rendezvous points, in seconds (PROTOCOL.md §2: one day). */
export const DEFAULT_PERIOD_SECONDS = 86_400
/** Shortest accepted rotation period, in seconds. */
export const MIN_PERIOD_SECONDS = 60
/** Longest accepted rotation period, in seconds (one leap year). */
export const MAX_PERIOD_SECONDS = 366 * 86_400
/** Length of a rendezvous point: an HMAC-SHA-256 output. */
export const POINT_BYTES = 32
/** Largest topic accepted by `rendezvousPoint` (a log address or a base64 account ID is far shorter). */
export const MAX_TOPIC_BYTES = 1_024
/** Largest seed accepted by `rendezvousPoint` (Wesh seeds are 32 bytes; the reference vector uses 5). */
export const MAX_SEED_BYTES = 1_024
/** Length of an account ID (an Ed25519 public key). */
export const ACCOUNT_ID_BYTES = 32
/** Multicodec of the CID of a point: raw (PROTOCOL.md §2). */
export const RAW_CODEC = 0x55
/** Multihash code of the CID of a point: sha2-256, whose digest is the point itself (PROTOCOL.md §2). */
export const SHA2_256_CODE = 0x12

// Limits of the libp2p rendezvous protocol: the public libp2p rendezvous specification, section
// "Recommendations for Rendezvous Points configurations", which PROTOCOL.md §2 adopts.

/** Lifetime of a registration whose REGISTER carries no TTL: 2 hours. */
export const DEFAULT_TTL_SECONDS = 2 * 60 * 60
/**
 * Shortest lifetime a registration may ask for. The spec recommends that servers accept no less than 2 h; our
 * server's floor is configurable (`minTtl`, default 2 h) and clients may ask for as little as this.
 */
export const MIN_TTL_SECONDS = 1
/** Longest registration lifetime: 72 hours. */
export const MAX_TTL_SECONDS = 72 * 60 * 60

/** Length of an Ed25519 secret seed, public key, X25519 key, or secretbox key. */
export const KEY_BYTES = 32
/** Length of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64
/** Length of a NaCl secretbox / box nonce. */
export const NONCE_BYTES = 24
/** Length of the Poly1305 tag that prefixes every sealed box. */
export const TAG_BYTES = 16
/** Largest HKDF output: 255 blocks of the hash (RFC 5869 §2.3). */
export const MAX_HKDF_BYTES = 255 * 32

import { hsalsa } from '@noble/ciphers/salsa.js'
import { u32 } from '@noble/ciphers/utils.js'
import { KEY_BYTES } from './constants.js'
import { erase } from './erase.js'
import { open, seal } from './secretbox.js'
import { x25519 } from './x25519.js'

// "expand 32-byte k", the Salsa20 constant, as little-endian words.
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574])
const ZERO_INPUT = new Uint32Array(4)

/**
 * The NaCl box key shared by `secretKey` and `publicKey` (X25519 keys): `HSalsa20(DH(secretKey, publicKey), 0¹⁶)`,
 * libsodium's `crypto_box_beforenm` (PROTOCOL.md §0 `Pre`). Seal and open with it through {@link seal}/{@link open}.
 */
export function boxPrecompute(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const shared = x25519(secretKey, publicKey)
  try {
    return boxKeyOfSharedSecret(shared)
  } finally {
    erase(shared)
  }
}

/** `HSalsa20(shared, 0¹⁶)`: the step of `crypto_box_beforenm` after X25519. */
export function boxKeyOfSharedSecret(shared: Uint8Array): Uint8Array {
  const key = new Uint8Array(KEY_BYTES)
  hsalsa(SIGMA, u32(new Uint8Array(shared)), ZERO_INPUT, u32(key))
  return key
}

/** NaCl `crypto_box_easy`: tag ‖ ciphertext of `plaintext` from `secretKey` to `publicKey` (X25519 keys). */
export function box(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const key = boxPrecompute(secretKey, publicKey)
  try {
    return seal(key, nonce, plaintext)
  } finally {
    erase(key)
  }
}

/** Opens a {@link box}; throws `DECRYPTION_FAILED` when it does not authenticate. */
export function boxOpen(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  const key = boxPrecompute(secretKey, publicKey)
  try {
    return open(key, nonce, sealed)
  } finally {
    erase(key)
  }
}

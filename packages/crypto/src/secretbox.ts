import { secretbox } from '@noble/ciphers/salsa.js'
import { KEY_BYTES, NONCE_BYTES, TAG_BYTES } from './constants.js'
import { CryptoErrorCode, WeshError } from './errors.js'
import { assertBytes } from './validate.js'

/** NaCl secretbox (XSalsa20-Poly1305): returns 16-byte tag ‖ ciphertext, as libsodium's `crypto_secretbox_easy`. */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  assertBytes(key, 'key', KEY_BYTES)
  assertBytes(nonce, 'nonce', NONCE_BYTES)
  assertBytes(plaintext, 'plaintext')
  return secretbox(key, nonce).seal(plaintext)
}

/** Opens a {@link seal}ed box; throws `DECRYPTION_FAILED` when it does not authenticate. */
export function open(key: Uint8Array, nonce: Uint8Array, box: Uint8Array): Uint8Array {
  assertBytes(key, 'key', KEY_BYTES)
  assertBytes(nonce, 'nonce', NONCE_BYTES)
  assertBytes(box, 'box', { min: TAG_BYTES })
  try {
    return secretbox(key, nonce).open(box)
  } catch (cause) {
    throw new WeshError(
      CryptoErrorCode.DECRYPTION_FAILED,
      'box does not authenticate under this key and nonce',
      {
        cause,
      },
    )
  }
}

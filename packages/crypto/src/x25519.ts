import { cryptoBackend } from './backend.js'
import { KEY_BYTES } from './constants.js'
import { CryptoErrorCode, WeshError } from './errors.js'
import { randomBytes } from './random.js'
import { assertBytes } from './validate.js'

/** An X25519 key pair. */
export interface X25519KeyPair {
  readonly secretKey: Uint8Array
  readonly publicKey: Uint8Array
}

/** A new X25519 key pair from `secretKey`, or from a fresh random one. */
export function x25519KeyPair(secretKey: Uint8Array = randomBytes(KEY_BYTES)): X25519KeyPair {
  return { secretKey, publicKey: x25519PublicKey(secretKey) }
}

/** The X25519 public key of a 32-byte secret (RFC 7748, clamped internally). */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secretKey', KEY_BYTES)
  return cryptoBackend().x25519PublicKey(secretKey)
}

/**
 * X25519 Diffie-Hellman (PROTOCOL.md §0 `DH`). Throws `WEAK_KEY` when the result is all zero, which a
 * low-order `publicKey` forces whatever the secret (RFC 7748 §6.1).
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secretKey', KEY_BYTES)
  assertBytes(publicKey, 'publicKey', KEY_BYTES)
  const shared = cryptoBackend().x25519(secretKey, publicKey)
  if (shared === undefined || shared.every((byte) => byte === 0)) {
    throw new WeshError(
      CryptoErrorCode.WEAK_KEY,
      'publicKey is a low-order point: the shared secret is zero',
      {
        data: { argument: 'publicKey' },
      },
    )
  }
  return shared
}

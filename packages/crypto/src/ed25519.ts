import { cryptoBackend } from './backend.js'
import { KEY_BYTES, SIGNATURE_BYTES } from './constants.js'
import { randomBytes } from './random.js'
import { assertBytes } from './validate.js'

/** An Ed25519 key pair; the secret is the 32-byte RFC 8032 seed. */
export interface Ed25519KeyPair {
  readonly seed: Uint8Array
  readonly publicKey: Uint8Array
}

/** A new Ed25519 key pair from `seed`, or from a fresh random seed. */
export function ed25519KeyPair(seed: Uint8Array = randomBytes(KEY_BYTES)): Ed25519KeyPair {
  return { seed, publicKey: ed25519PublicKey(seed) }
}

/** The public key of a 32-byte Ed25519 seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', KEY_BYTES)
  return cryptoBackend().ed25519PublicKey(seed)
}

/** RFC 8032 Ed25519 signature of `message` by the key with this 32-byte `seed`. */
export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', KEY_BYTES)
  assertBytes(message, 'message')
  return cryptoBackend().ed25519Sign(seed, message)
}

/**
 * Strict RFC 8032 verification (non-canonical S and malformed keys are refused, as `zip215: false`).
 * Returns false for a bad signature; throws only when an argument has the wrong type or length.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertBytes(publicKey, 'publicKey', KEY_BYTES)
  assertBytes(message, 'message')
  assertBytes(signature, 'signature', SIGNATURE_BYTES)
  return cryptoBackend().ed25519Verify(publicKey, message, signature)
}

import { type BackendSigningKey, cryptoBackend } from './backend.js'
import { CryptoErrorCode, WeshError } from './errors.js'
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

/** A key that signs many messages: parsed once (the native path's main cost), erased by `destroy()`. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array
  sign(message: Uint8Array): Uint8Array
  /** Forgets the secret; later calls to `sign` throw `KEY_DESTROYED`. */
  destroy(): void
}

/** A {@link Ed25519Signer} for this 32-byte seed. The seed is copied: the caller may erase its own. */
export function ed25519Signer(seed: Uint8Array): Ed25519Signer {
  const publicKey = ed25519PublicKey(seed)
  let key: BackendSigningKey | undefined = cryptoBackend().ed25519SigningKey(seed)
  return {
    publicKey,
    sign(message) {
      assertBytes(message, 'message')
      if (key === undefined) throw new WeshError(CryptoErrorCode.KEY_DESTROYED, 'this signer was destroyed')
      return key.sign(message)
    },
    destroy() {
      key?.destroy()
      key = undefined
    },
  }
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

/**
 * {@link verify}, off the main thread where the runtime can (Node: OpenSSL on libuv's thread pool), so that many
 * checks run on every core at once: for a batch of signatures, start them all and await them together. Resolves to
 * false for a bad signature; throws (synchronously) only when an argument has the wrong type or length.
 */
export function verifyAsync(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  assertBytes(publicKey, 'publicKey', KEY_BYTES)
  assertBytes(message, 'message')
  assertBytes(signature, 'signature', SIGNATURE_BYTES)
  const backend = cryptoBackend()
  return (
    backend.ed25519VerifyAsync?.(publicKey, message, signature) ??
    Promise.resolve(backend.ed25519Verify(publicKey, message, signature))
  )
}

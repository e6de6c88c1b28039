import { nativeBackend } from './native-backend.js'
import { pureBackend } from './pure-backend.js'

/** HMAC-SHA-256 and HKDF-SHA-256 (RFC 2104, RFC 5869). Inputs are already validated. */
export interface Sha256Mac {
  hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array
  /** Fills `out` (1..255 × 32 bytes); `out` may be `ikm` itself, which is read before `out` is written. */
  hkdfSha256Into(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, out: Uint8Array): void
}

/**
 * The primitives that have a faster native implementation in some runtimes. Inputs are already validated.
 * HMAC and HKDF are the same JavaScript SHA-256 on both backends (see native-backend.ts for why).
 */
export interface CryptoBackend extends Sha256Mac {
  readonly name: 'native' | 'pure'
  ed25519PublicKey(seed: Uint8Array): Uint8Array
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  /** A signing key parsed once, for keys that sign many messages. */
  ed25519SigningKey(seed: Uint8Array): BackendSigningKey
  /** Strict RFC 8032 verification; false for any malformed key or signature. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  /** The same check off the calling thread, where the runtime can (Node: libuv's thread pool). */
  ed25519VerifyAsync?(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
  x25519PublicKey(secretKey: Uint8Array): Uint8Array
  /** The raw X25519 output, or undefined when the result is all zero (a low-order public key). */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined
}

/** A parsed Ed25519 secret held by a backend until `destroy()`. */
export interface BackendSigningKey {
  sign(message: Uint8Array): Uint8Array
  destroy(): void
}

let active: CryptoBackend = nativeBackend ?? pureBackend

/** The backend in use: the native one where the runtime has it (Node.js), else the pure one (@noble). */
export function cryptoBackend(): CryptoBackend {
  return active
}

/**
 * Chooses the backend: `'native'` (throws where the runtime has none), `'pure'`, or `'auto'` (the default).
 * Both give identical bytes; tests run every vector through both.
 */
export function useCryptoBackend(choice: 'native' | 'pure' | 'auto'): CryptoBackend {
  if (choice === 'native' && nativeBackend === undefined)
    throw new Error('this runtime has no native crypto backend')
  active = choice === 'pure' ? pureBackend : (nativeBackend ?? pureBackend)
  return active
}

export { nativeBackend, pureBackend }

import { nativeBackend } from './native-backend.js'
import { pureBackend } from './pure-backend.js'

/** The primitives that have a faster native implementation in some runtimes. Inputs are already validated. */
export interface CryptoBackend {
  readonly name: 'native' | 'pure'
  ed25519PublicKey(seed: Uint8Array): Uint8Array
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array
  /** Strict RFC 8032 verification; false for any malformed key or signature. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
  x25519PublicKey(secretKey: Uint8Array): Uint8Array
  /** The raw X25519 output, or undefined when the result is all zero (a low-order public key). */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined
  hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array
  hkdf(
    hash: 'sha256' | 'sha3-256',
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Uint8Array
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

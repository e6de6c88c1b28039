import { type Ed25519Signer, assertBytes, sign } from '@wesh/crypto'
import { KEY_BYTES } from './constants.js'

/** A signing key given either as its 32-byte seed or as a parsed `Ed25519Signer` (faster when reused). */
export type SigningKey = Uint8Array | Ed25519Signer

export function signWith(key: SigningKey, message: Uint8Array, argument: string): Uint8Array {
  if (key instanceof Uint8Array) {
    assertBytes(key, argument, KEY_BYTES)
    return sign(key, message)
  }
  return key.sign(message)
}

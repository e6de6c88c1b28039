import { ed25519 } from '@noble/curves/ed25519.js'
import { KEY_BYTES } from './constants.js'
import { CryptoErrorCode, WeshError } from './errors.js'
import { assertBytes } from './validate.js'

/** X25519 public key of an Ed25519 public key, by the birational map (PROTOCOL.md §0 `edToX`). */
export function edToX25519PublicKey(edPublicKey: Uint8Array): Uint8Array {
  assertBytes(edPublicKey, 'edPublicKey', KEY_BYTES)
  try {
    return ed25519.utils.toMontgomery(edPublicKey)
  } catch (cause) {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'edPublicKey is not a valid Ed25519 public key', {
      data: { argument: 'edPublicKey' },
      cause,
    })
  }
}

/** X25519 secret of an Ed25519 seed: `SHA512(seed)[0:32]`, clamped (PROTOCOL.md §0 `edToXSecret`, as libsodium). */
export function edToX25519SecretKey(edSeed: Uint8Array): Uint8Array {
  assertBytes(edSeed, 'edSeed', KEY_BYTES)
  return ed25519.utils.toMontgomerySecret(edSeed)
}

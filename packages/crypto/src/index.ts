/**
 * Crypto building blocks of the Wesh protocol (PROTOCOL.md §0), on @noble only, with Node's native
 * OpenSSL used for Ed25519 and X25519 where it exists.
 *
 * @example
 * ```ts
 * import { ed25519KeyPair, sign, verify, seal, open, randomBytes, utf8ToBytes } from '@wesh/crypto'
 *
 * const alice = ed25519KeyPair()
 * const message = utf8ToBytes('hello')
 * const signature = sign(alice.seed, message)
 * verify(alice.publicKey, message, signature) // true
 *
 * const key = randomBytes(32), nonce = randomBytes(24)
 * open(key, nonce, seal(key, nonce, message)) // the message again
 * ```
 * @packageDocumentation
 */
export { WeshError, isWeshError, CryptoErrorCode } from './errors.js'
export { assertBytes, assertInteger } from './validate.js'
export { concatBytes, u64be } from './bytes.js'
export { erase } from './erase.js'
export { redactSecrets, REDACTED } from './redaction.js'
export { constantTimeEqual } from './constant-time.js'
export { randomBytes } from './random.js'
export {
  toHex,
  fromHex,
  toBase64,
  fromBase64,
  toBase64Url,
  fromBase64Url,
  utf8ToBytes,
  bytesToUtf8,
  decodeBase64Field,
} from './encoding.js'
export { sha256, sha512, sha3_256 } from './hash.js'
export { hmacSha256 } from './hmac.js'
export { hkdfSha256, hkdfSha256Into, hkdfSha3_256, type HkdfOptions } from './hkdf.js'
export {
  ed25519KeyPair,
  ed25519PublicKey,
  ed25519Signer,
  sign,
  verify,
  verifyAsync,
  type Ed25519KeyPair,
  type Ed25519Signer,
} from './ed25519.js'
export { x25519KeyPair, x25519PublicKey, x25519, type X25519KeyPair } from './x25519.js'
export { edToX25519PublicKey, edToX25519SecretKey } from './ed-to-x25519.js'
export { seal, open } from './secretbox.js'
export { box, boxOpen, boxPrecompute } from './box.js'
export {
  cryptoBackend,
  useCryptoBackend,
  nativeBackend,
  pureBackend,
  type CryptoBackend,
  type BackendSigningKey,
} from './backend.js'
export { KEY_BYTES, SIGNATURE_BYTES, NONCE_BYTES, TAG_BYTES, MAX_HKDF_BYTES } from './constants.js'

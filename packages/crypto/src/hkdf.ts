import { hkdf } from '@noble/hashes/hkdf.js'
import { sha3_256 } from '@noble/hashes/sha3.js'
import { MAX_HKDF_BYTES } from './constants.js'
import { hkdfSha256Fast } from './sha256-hmac.js'
import { assertBytes, assertInteger } from './validate.js'

// PROTOCOL.md §0: "no salt" means 32 zero bytes (the hash length), as RFC 5869 §2.2 says.
const NO_SALT = new Uint8Array(32)
const NO_INFO = new Uint8Array(0)

/** Optional HKDF inputs: omitted salt = 32 zero bytes, omitted info = empty. */
export interface HkdfOptions {
  salt?: Uint8Array
  info?: Uint8Array
}

/** RFC 5869 HKDF with SHA-256 (PROTOCOL.md §0 `HKDF`). */
export function hkdfSha256(ikm: Uint8Array, length: number, options: HkdfOptions = {}): Uint8Array {
  return derive('sha256', ikm, length, options)
}

/** RFC 5869 HKDF with SHA3-256 (PROTOCOL.md §0 `HKDF3`). */
export function hkdfSha3_256(ikm: Uint8Array, length: number, options: HkdfOptions = {}): Uint8Array {
  return derive('sha3-256', ikm, length, options)
}

function derive(
  hash: 'sha256' | 'sha3-256',
  ikm: Uint8Array,
  length: number,
  options: HkdfOptions,
): Uint8Array {
  const { salt = NO_SALT, info = NO_INFO } = options
  assertBytes(ikm, 'ikm')
  assertBytes(salt, 'salt')
  assertBytes(info, 'info')
  assertInteger(length, 'length', 1, MAX_HKDF_BYTES)
  return hash === 'sha256' ? hkdfSha256Fast(ikm, salt, info, length) : hkdf(sha3_256, ikm, salt, info, length)
}

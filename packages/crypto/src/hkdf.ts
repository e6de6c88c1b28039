import { hkdf } from '@noble/hashes/hkdf.js'
import { sha3_256 } from '@noble/hashes/sha3.js'
import { cryptoBackend } from './backend.js'
import { MAX_HKDF_BYTES } from './constants.js'
import { CryptoErrorCode, WeshError } from './errors.js'
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
  assertInteger(length, 'length', 1, MAX_HKDF_BYTES)
  const out = new Uint8Array(length)
  hkdfSha256Into(ikm, out, options)
  return out
}

/**
 * {@link hkdfSha256} of `out.length` bytes written into `out`, for hot paths that reuse their buffers (the
 * ratchet steps its chain in place). `out` may be `ikm` itself: `ikm` is read before `out` is written. It must
 * not overlap `salt` or `info`.
 */
export function hkdfSha256Into(ikm: Uint8Array, out: Uint8Array, options: HkdfOptions = {}): void {
  const { salt = NO_SALT, info = NO_INFO } = options
  assertBytes(ikm, 'ikm')
  assertBytes(salt, 'salt')
  assertBytes(info, 'info')
  assertBytes(out, 'out', { min: 1, max: MAX_HKDF_BYTES })
  // The defaults are this module's own: no caller's `out` can overlap them.
  if (salt !== NO_SALT) assertDisjoint(out, salt, 'salt')
  if (info !== NO_INFO) assertDisjoint(out, info, 'info')
  cryptoBackend().hkdfSha256Into(ikm, salt, info, out)
}

/** RFC 5869 HKDF with SHA3-256 (PROTOCOL.md §0 `HKDF3`). */
export function hkdfSha3_256(ikm: Uint8Array, length: number, options: HkdfOptions = {}): Uint8Array {
  const { salt = NO_SALT, info = NO_INFO } = options
  assertBytes(ikm, 'ikm')
  assertBytes(salt, 'salt')
  assertBytes(info, 'info')
  assertInteger(length, 'length', 1, MAX_HKDF_BYTES)
  return hkdf(sha3_256, ikm, salt, info, length)
}

function assertDisjoint(out: Uint8Array, input: Uint8Array, argument: string): void {
  if (out.buffer !== input.buffer) return
  const overlaps =
    out.byteOffset < input.byteOffset + input.length && input.byteOffset < out.byteOffset + out.length
  if (overlaps) {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, `out must not overlap ${argument}`, {
      data: { argument: 'out' },
    })
  }
}

import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js'
import { assertInteger } from './validate.js'

/** Cryptographically secure random bytes from the runtime's `crypto.getRandomValues`. */
export function randomBytes(length: number): Uint8Array {
  assertInteger(length, 'length', 0, 1 << 20)
  return nobleRandomBytes(length)
}

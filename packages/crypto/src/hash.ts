import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js'
import { sha3_256 as nobleSha3_256 } from '@noble/hashes/sha3.js'
import { assertBytes } from './validate.js'

/** SHA-256 of `message`. */
export function sha256(message: Uint8Array): Uint8Array {
  assertBytes(message, 'message')
  return nobleSha256(message)
}

/** SHA-512 of `message`. */
export function sha512(message: Uint8Array): Uint8Array {
  assertBytes(message, 'message')
  return nobleSha512(message)
}

/** SHA3-256 of `message`. */
export function sha3_256(message: Uint8Array): Uint8Array {
  assertBytes(message, 'message')
  return nobleSha3_256(message)
}

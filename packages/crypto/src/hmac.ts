import { cryptoBackend } from './backend.js'
import { assertBytes } from './validate.js'

/** HMAC-SHA-256 (RFC 2104) of `message` under `key`. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  assertBytes(key, 'key')
  assertBytes(message, 'message')
  return cryptoBackend().hmacSha256(key, message)
}

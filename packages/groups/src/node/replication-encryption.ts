import type { EncryptionModule } from '@orbitdb/core'
import { NONCE_BYTES, assertBytes, concatBytes, open, randomBytes, seal } from '@wesh/crypto'

/**
 * OrbitDB's `encryption.replication` module for a group's logs (PROTOCOL.md §5): every log entry block is
 * sealed with the group's link key, so the network and the block store see only ciphertext. The output is
 * nonce ‖ secretbox, with a fresh random nonce per block.
 */
export function linkKeyEncryption(linkKey: Uint8Array): EncryptionModule {
  assertBytes(linkKey, 'linkKey', 32)
  const key = new Uint8Array(linkKey)
  return {
    encrypt(bytes) {
      const nonce = randomBytes(NONCE_BYTES)
      return Promise.resolve(concatBytes(nonce, seal(key, nonce, bytes)))
    },
    decrypt(bytes) {
      assertBytes(bytes, 'bytes', { min: NONCE_BYTES + 16 })
      return Promise.resolve(open(key, bytes.subarray(0, NONCE_BYTES), bytes.subarray(NONCE_BYTES)))
    },
  }
}

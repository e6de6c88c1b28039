import type { EncryptionModule } from '@orbitdb/core'
import {
  NONCE_BYTES,
  assertBytes,
  concatBytes,
  hkdfSha256,
  hmacSha256,
  open,
  seal,
  utf8ToBytes,
} from '@wesh/crypto'

const NONCE_KEY_INFO = utf8ToBytes('wesh/replication-nonce/v1')

/**
 * OrbitDB's `encryption.replication` module for a group's logs (PROTOCOL.md §5): every log entry block is
 * sealed with the group's link key, so the network and the block store see only ciphertext. The output is
 * nonce ‖ secretbox(linkKey, nonce, block).
 *
 * The nonce is derived from the block — `HMAC-SHA256(HKDF(linkKey, "wesh/replication-nonce/v1"), block)[0:24]`,
 * a synthetic IV — not drawn at random: OrbitDB encrypts an entry again when it joins it and stores it under
 * the CID of the result, so a random nonce would file the block under a CID that no other replica asks for and
 * leave the original CID to be fetched from the network. Equal blocks give equal ciphertexts, which reveals
 * nothing here: every entry block is unique (it names its writer, clock and parents).
 */
export function linkKeyEncryption(linkKey: Uint8Array): EncryptionModule {
  assertBytes(linkKey, 'linkKey', 32)
  const key = new Uint8Array(linkKey)
  const nonceKey = hkdfSha256(key, 32, { info: NONCE_KEY_INFO })
  return {
    encrypt(bytes) {
      const nonce = hmacSha256(nonceKey, bytes).subarray(0, NONCE_BYTES)
      return Promise.resolve(concatBytes(nonce, seal(key, nonce, bytes)))
    },
    decrypt(bytes) {
      // A promise either way: a block that does not open is a rejection, as OrbitDB expects of this module.
      return Promise.resolve(bytes).then((sealed) => {
        assertBytes(sealed, 'bytes', { min: NONCE_BYTES + 16 })
        return open(key, sealed.subarray(0, NONCE_BYTES), sealed.subarray(NONCE_BYTES))
      })
    },
  }
}

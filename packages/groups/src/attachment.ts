import { TAG_BYTES, assertBytes, randomBytes, seal } from '@wesh/crypto'
import { KEY_BYTES, MAX_ATTACHMENT_BYTES, NONCE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { openOrFail } from './message-envelope.js'

/**
 * Seals a file for a group (PROTOCOL.md §4 attachment key): `nonce ‖ secretbox(attachmentKey, nonce, bytes)` with a
 * random 24-byte nonce. Members store the result as UnixFS blocks and reference it by CID from a message; anyone
 * holding the blocks (a replica, a peer serving them over bitswap) sees only ciphertext. Throws `MESSAGE_TOO_LARGE`
 * beyond {@link MAX_ATTACHMENT_BYTES}. `nonce` is random unless given (fixed only for test vectors).
 */
export function sealAttachment(
  attachmentKey: Uint8Array,
  bytes: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Uint8Array {
  assertBytes(attachmentKey, 'attachmentKey', KEY_BYTES)
  assertBytes(bytes, 'bytes')
  assertBytes(nonce, 'nonce', NONCE_BYTES)
  if (bytes.length > MAX_ATTACHMENT_BYTES) throw tooLarge(bytes.length)
  const out = new Uint8Array(NONCE_BYTES + TAG_BYTES + bytes.length)
  out.set(nonce)
  out.set(seal(attachmentKey, nonce, bytes), NONCE_BYTES)
  return out
}

/** Opens a sealed attachment; throws `DECRYPTION_FAILED` (wrong group, altered bytes), `MALFORMED_MESSAGE` or `MESSAGE_TOO_LARGE`. */
export function openAttachment(attachmentKey: Uint8Array, sealed: Uint8Array): Uint8Array {
  assertBytes(attachmentKey, 'attachmentKey', KEY_BYTES)
  assertBytes(sealed, 'sealed')
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw groupsError(GroupsErrorCode.MALFORMED_MESSAGE, 'a sealed attachment is at least 40 bytes')
  }
  if (sealed.length > MAX_SEALED_ATTACHMENT_BYTES) throw tooLarge(sealed.length)
  return openOrFail(
    attachmentKey,
    sealed.subarray(0, NONCE_BYTES),
    sealed.subarray(NONCE_BYTES),
    'attachment',
  )
}

/** The largest sealed attachment: what a fetch may read before it stops. */
export const MAX_SEALED_ATTACHMENT_BYTES = NONCE_BYTES + TAG_BYTES + MAX_ATTACHMENT_BYTES

function tooLarge(actual: number) {
  return groupsError(GroupsErrorCode.MESSAGE_TOO_LARGE, 'an attachment is at most 64 MiB', {
    data: { message: 'attachment', max: MAX_ATTACHMENT_BYTES, actual },
  })
}

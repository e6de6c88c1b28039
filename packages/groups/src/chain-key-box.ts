import {
  assertBytes,
  assertInteger,
  box,
  boxOpen,
  edToX25519PublicKey,
  edToX25519SecretKey,
  erase,
  isWeshError,
} from '@wesh/crypto'
import { MAX_COUNTER } from '@wesh/ratchet'
import { KEY_BYTES, NONCE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { decodeWire, encodeWire } from './wire.js'

/**
 * The box of a `GroupDeviceChainKeyAdded` event (PROTOCOL.md §5 event 2): the sending device's chain, sealed to one
 * member: `Box(edToXSecret(senderDeviceSeed), edToX(recipientMemberId), groupId[0:24], pb(DeviceChainKey))`.
 *
 * The nonce is fixed per group, so a device must seal its chain to a given member once only (§5 join flow):
 * two different chains under the same pair of keys would reuse a nonce.
 */
export function sealDeviceChainKey(args: {
  senderDeviceSeed: Uint8Array
  recipientMemberId: Uint8Array
  groupId: Uint8Array
  chainKey: Uint8Array
  counter: number
}): Uint8Array {
  const { senderDeviceSeed, recipientMemberId, groupId, chainKey, counter } = args
  assertBytes(senderDeviceSeed, 'senderDeviceSeed', KEY_BYTES)
  assertBytes(recipientMemberId, 'recipientMemberId', KEY_BYTES)
  assertBytes(groupId, 'groupId', KEY_BYTES)
  assertBytes(chainKey, 'chainKey', KEY_BYTES)
  assertInteger(counter, 'counter', 0, MAX_COUNTER)
  const plaintext = encodeWire('DeviceChainKey', { chainKey, counter: BigInt(counter) })
  const secretKey = edToX25519SecretKey(senderDeviceSeed)
  try {
    return box(secretKey, edToX25519PublicKey(recipientMemberId), groupId.subarray(0, NONCE_BYTES), plaintext)
  } finally {
    erase(secretKey, plaintext)
  }
}

/**
 * Opens a chain-key box addressed to our member key. Throws `DECRYPTION_FAILED` when it was not sealed by
 * `senderDeviceId` to this member in this group, `MALFORMED_MESSAGE` when its content is not a 32-byte chain key
 * with a counter of at most `MAX_COUNTER`.
 */
export function openDeviceChainKey(args: {
  recipientMemberSeed: Uint8Array
  senderDeviceId: Uint8Array
  groupId: Uint8Array
  box: Uint8Array
}): { chainKey: Uint8Array; counter: number } {
  const { recipientMemberSeed, senderDeviceId, groupId, box: sealed } = args
  assertBytes(recipientMemberSeed, 'recipientMemberSeed', KEY_BYTES)
  assertBytes(senderDeviceId, 'senderDeviceId', KEY_BYTES)
  assertBytes(groupId, 'groupId', KEY_BYTES)
  assertBytes(sealed, 'box')
  const secretKey = edToX25519SecretKey(recipientMemberSeed)
  let plaintext: Uint8Array
  try {
    plaintext = boxOpen(
      secretKey,
      edToX25519PublicKey(senderDeviceId),
      groupId.subarray(0, NONCE_BYTES),
      sealed,
    )
  } catch (cause) {
    if (isWeshError(cause, 'DECRYPTION_FAILED') || isWeshError(cause, 'INVALID_LENGTH')) {
      throw groupsError(GroupsErrorCode.DECRYPTION_FAILED, 'chain-key box does not open for this member', {
        cause,
      })
    }
    throw cause
  } finally {
    erase(secretKey)
  }
  try {
    const { chainKey, counter } = decodeWire('DeviceChainKey', plaintext)
    if (chainKey.length !== KEY_BYTES) {
      throw groupsError(GroupsErrorCode.MALFORMED_MESSAGE, 'DeviceChainKey.chain_key must be 32 bytes')
    }
    if (counter > BigInt(MAX_COUNTER)) {
      throw groupsError(GroupsErrorCode.MALFORMED_MESSAGE, 'DeviceChainKey.counter is beyond MAX_COUNTER')
    }
    return { chainKey: new Uint8Array(chainKey), counter: Number(counter) }
  } finally {
    erase(plaintext)
  }
}

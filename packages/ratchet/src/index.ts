/**
 * The Wesh symmetric-key ratchet (PROTOCOL.md §3): pure, no I/O, depends only on `@wesh/crypto`.
 *
 * @example
 * ```ts
 * import { RatchetSender, RatchetReceiver } from '@wesh/ratchet'
 * import { randomBytes, utf8ToBytes, bytesToUtf8 } from '@wesh/crypto'
 *
 * const groupId = randomBytes(32)
 * const alice = RatchetSender.create(groupId)
 * const bob = RatchetReceiver.create(groupId, alice.chain()) // shared in a GroupDeviceChainKeyAdded box
 *
 * const { counter, ciphertext } = alice.encrypt(utf8ToBytes('hi Bob'))
 * bytesToUtf8(bob.decrypt(counter, ciphertext)) // 'hi Bob'
 * ```
 * @packageDocumentation
 */
export { ratchetStep, messageNonce, type RatchetStep } from './chain-key.js'
export { RatchetSender, type RatchetMessage } from './sender.js'
export { RatchetReceiver, type ReceiverLimits, type DecryptOptions } from './receiver.js'
export type { ChainState, SenderStateV1, ReceiverStateV1 } from './state.js'
export type { RedactedChain } from './summary.js'
export { RatchetErrorCode } from './errors.js'
export {
  MAX_SKIP,
  MAX_SKIPPED_KEYS,
  CHAIN_KEY_BYTES,
  GROUP_ID_BYTES,
  MAX_COUNTER,
  STATE_VERSION,
} from './constants.js'

import { assertBytes, erase, hkdfSha256, u64be } from '@wesh/crypto'
import { CHAIN_KEY_BYTES, GROUP_ID_BYTES } from './constants.js'

/** The two keys one ratchet step gives. */
export interface RatchetStep {
  readonly nextChainKey: Uint8Array
  readonly messageKey: Uint8Array
}

/**
 * One step of the chain (PROTOCOL.md §3): `okm = HKDF(chainKey, no salt, info = groupId, 64)`,
 * `nextChainKey = okm[0:32]`, `messageKey = okm[32:64]`. The caller erases `chainKey` once it moved on.
 */
export function ratchetStep(chainKey: Uint8Array, groupId: Uint8Array): RatchetStep {
  assertBytes(chainKey, 'chainKey', CHAIN_KEY_BYTES)
  assertBytes(groupId, 'groupId', GROUP_ID_BYTES)
  const okm = hkdfSha256(chainKey, 2 * CHAIN_KEY_BYTES, { info: groupId })
  // Copies, so that erasing one key never depends on the other's buffer.
  const step = { nextChainKey: okm.slice(0, CHAIN_KEY_BYTES), messageKey: okm.slice(CHAIN_KEY_BYTES) }
  erase(okm)
  return step
}

const NONCE_TAIL = new Uint8Array(16)

/** Nonce of message number `counter`: `u64be(counter) ‖ 0¹⁶` (PROTOCOL.md §3). */
export function messageNonce(counter: number | bigint): Uint8Array {
  const nonce = new Uint8Array(24)
  nonce.set(u64be(counter))
  nonce.set(NONCE_TAIL, 8)
  return nonce
}

import { assertBytes, hkdfSha256, u64be } from '@wesh/crypto'
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
  // Two views of one buffer: each is erased on its own when spent, which clears its half.
  return { nextChainKey: okm.subarray(0, CHAIN_KEY_BYTES), messageKey: okm.subarray(CHAIN_KEY_BYTES) }
}

/** Nonce of message number `counter`: `u64be(counter) ‖ 0¹⁶` (PROTOCOL.md §3). */
export function messageNonce(counter: number | bigint): Uint8Array {
  const nonce = new Uint8Array(24)
  if (typeof counter === 'number' && Number.isSafeInteger(counter) && counter >= 0) {
    // The hot path, without BigInt or a DataView: big-endian bytes of the high and low 32-bit halves.
    const high = Math.floor(counter / 0x100000000)
    for (let i = 0; i < 4; i++) {
      nonce[i] = (high >>> (24 - 8 * i)) & 0xff
      nonce[4 + i] = (counter >>> (24 - 8 * i)) & 0xff
    }
  } else {
    nonce.set(u64be(counter)) // validates, and handles bigint
  }
  return nonce
}

import { type HkdfOptions, assertBytes, hkdfSha256Into, u64be } from '@wesh/crypto'
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
  const okm = new Uint8Array(2 * CHAIN_KEY_BYTES)
  hkdfSha256Into(chainKey, okm, { info: groupId })
  // Two views of one buffer: each is erased on its own when spent, which clears its half.
  return { nextChainKey: okm.subarray(0, CHAIN_KEY_BYTES), messageKey: okm.subarray(CHAIN_KEY_BYTES) }
}

/**
 * The sender's and receiver's working buffer: a chain key and the message key of the step from it, laid out
 * as the 64 bytes of the step's HKDF output, so that a step writes both in place and allocates nothing
 * (one step per message is the ratchet's whole overhead over secretbox).
 */
export class StepBuffer {
  readonly bytes = new Uint8Array(2 * CHAIN_KEY_BYTES)
  /** `bytes[0:32]`: the chain key. */
  readonly chainKey = this.bytes.subarray(0, CHAIN_KEY_BYTES)
  /** `bytes[32:64]`: the message key of the last step, all zero once spent. */
  readonly messageKey = this.bytes.subarray(CHAIN_KEY_BYTES)
  readonly #hkdf: HkdfOptions

  /** `groupId` is kept, not copied: the caller owns a copy of its own. */
  constructor(groupId: Uint8Array) {
    this.#hkdf = { info: groupId }
  }

  /** Overwrites both halves with {@link ratchetStep} of `chainKey`, which may be this buffer's own. */
  stepFrom(chainKey: Uint8Array): void {
    hkdfSha256Into(chainKey, this.bytes, this.#hkdf)
  }
}

/** Nonce of message number `counter`: `u64be(counter) ‖ 0¹⁶` (PROTOCOL.md §3). */
export function messageNonce(counter: number | bigint): Uint8Array {
  const nonce = new Uint8Array(24)
  if (typeof counter === 'number' && Number.isSafeInteger(counter) && counter >= 0) {
    writeMessageNonce(nonce, counter)
  } else {
    nonce.set(u64be(counter)) // validates, and handles bigint
  }
  return nonce
}

/**
 * Writes the first 8 bytes of {@link messageNonce}(`counter`) into `nonce`, whose last 16 bytes stay zero:
 * the sender and receiver reuse one nonce buffer. `counter` is a non-negative safe integer.
 */
export function writeMessageNonce(nonce: Uint8Array, counter: number): void {
  // Without BigInt or a DataView: big-endian bytes of the high and low 32-bit halves.
  const high = Math.floor(counter / 0x100000000)
  for (let i = 0; i < 4; i++) {
    nonce[i] = (high >>> (24 - 8 * i)) & 0xff
    nonce[4 + i] = (counter >>> (24 - 8 * i)) & 0xff
  }
}

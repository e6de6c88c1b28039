import {
  NONCE_BYTES,
  WeshError,
  assertBytes,
  assertInteger,
  erase,
  randomBytes,
  redactSecrets,
  seal,
} from '@wesh/crypto'
import { StepBuffer, writeMessageNonce } from './chain-key.js'
import { CHAIN_KEY_BYTES, GROUP_ID_BYTES, MAX_COUNTER, STATE_VERSION } from './constants.js'
import { RatchetErrorCode } from './errors.js'
import { type ChainState, type SenderStateV1, encodeKey, parseChainFields } from './state.js'
import { summaryOf } from './summary.js'

/** One sealed message: its number in the chain and the secretbox output (tag ‖ ciphertext). */
export interface RatchetMessage {
  readonly counter: number
  readonly ciphertext: Uint8Array
}

/**
 * The sending chain of one device in one group (PROTOCOL.md §3). Message `n` is sealed with the key of
 * step `n` under nonce `u64be(n) ‖ 0¹⁶`; each chain key and message key is erased as soon as it is spent
 * (stepping in place overwrites the chain key; the message key is zeroed right after sealing).
 */
export class RatchetSender {
  readonly #groupId: Uint8Array
  readonly #keys: StepBuffer
  readonly #nonce = new Uint8Array(NONCE_BYTES)
  #counter: number
  #destroyed = false

  private constructor(groupId: Uint8Array, chain: ChainState) {
    this.#groupId = new Uint8Array(groupId)
    this.#keys = new StepBuffer(this.#groupId)
    this.#keys.chainKey.set(chain.chainKey)
    this.#counter = chain.counter
    redactSecrets(this, () => summaryOf('RatchetSender', this.#groupId, this.#counter))
  }

  /** A new chain for `groupId`: a random chain key at counter 0 unless one is given. */
  static create(groupId: Uint8Array, chain?: Partial<ChainState>): RatchetSender {
    assertBytes(groupId, 'groupId', GROUP_ID_BYTES)
    const chainKey = chain?.chainKey ?? randomBytes(CHAIN_KEY_BYTES)
    const counter = chain?.counter ?? 0
    assertBytes(chainKey, 'chainKey', CHAIN_KEY_BYTES)
    assertInteger(counter, 'counter', 0, MAX_COUNTER)
    const sender = new RatchetSender(groupId, { chainKey, counter })
    if (chain?.chainKey === undefined) erase(chainKey)
    return sender
  }

  /** Restores a sender from {@link RatchetSender.exportState}; throws `RATCHET_INVALID_STATE` when malformed. */
  static fromState(state: SenderStateV1): RatchetSender {
    const { groupId, chain } = parseChainFields(state)
    const sender = new RatchetSender(groupId, chain)
    erase(chain.chainKey)
    return sender
  }

  /** Number of the last message sent (0 before the first). */
  get counter(): number {
    return this.#counter
  }

  /** Seals `plaintext` as the next message and moves the chain on. */
  encrypt(plaintext: Uint8Array): RatchetMessage {
    assertBytes(plaintext, 'plaintext')
    this.#assertLive()
    if (this.#counter >= MAX_COUNTER) {
      throw new WeshError(
        RatchetErrorCode.RATCHET_COUNTER_EXHAUSTED,
        'the sending chain reached its last message',
      )
    }
    const counter = this.#counter + 1
    const keys = this.#keys
    // The step overwrites the chain key in place, so the counter moves with it: should sealing still fail
    // (out of memory), message `counter` is skipped, never sealed twice, and the chain stays consistent.
    keys.stepFrom(keys.chainKey)
    this.#counter = counter
    writeMessageNonce(this.#nonce, counter)
    try {
      return { counter, ciphertext: seal(keys.messageKey, this.#nonce, plaintext) }
    } finally {
      keys.messageKey.fill(0)
    }
  }

  /** A copy of the current chain, to share with members (§5 `GroupDeviceChainKeyAdded`). Secret. */
  chain(): ChainState {
    this.#assertLive()
    return { chainKey: this.#keys.chainKey.slice(), counter: this.#counter }
  }

  /** Serialisable state, secrets included: store it encrypted. */
  exportState(): SenderStateV1 {
    this.#assertLive()
    return {
      v: STATE_VERSION,
      groupId: encodeKey(this.#groupId),
      chainKey: encodeKey(this.#keys.chainKey),
      counter: this.#counter,
    }
  }

  /** Erases the chain key; the sender cannot be used afterwards. */
  destroy(): void {
    this.#keys.bytes.fill(0)
    this.#destroyed = true
  }

  #assertLive(): void {
    if (this.#destroyed) throw destroyed()
  }
}

export function destroyed(): WeshError {
  return new WeshError(RatchetErrorCode.RATCHET_DESTROYED, 'this ratchet was destroyed and its keys erased')
}

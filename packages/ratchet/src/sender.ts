import { WeshError, assertBytes, assertInteger, erase, randomBytes, seal } from '@wesh/crypto'
import { messageNonce, ratchetStep } from './chain-key.js'
import { CHAIN_KEY_BYTES, GROUP_ID_BYTES, MAX_COUNTER, STATE_VERSION } from './constants.js'
import { RatchetErrorCode } from './errors.js'
import { redactSecrets, summaryOf } from './redaction.js'
import { type ChainState, type SenderStateV1, encodeKey, parseChainFields } from './state.js'

/** One sealed message: its number in the chain and the secretbox output (tag ‖ ciphertext). */
export interface RatchetMessage {
  readonly counter: number
  readonly ciphertext: Uint8Array
}

/**
 * The sending chain of one device in one group (PROTOCOL.md §3). Message `n` is sealed with the key of
 * step `n` under nonce `u64be(n) ‖ 0¹⁶`; each chain key and message key is erased as soon as it is spent.
 */
export class RatchetSender {
  readonly #groupId: Uint8Array
  #chainKey: Uint8Array
  #counter: number

  private constructor(groupId: Uint8Array, chain: ChainState) {
    this.#groupId = new Uint8Array(groupId)
    this.#chainKey = new Uint8Array(chain.chainKey)
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
    return new RatchetSender(groupId, { chainKey, counter })
  }

  /** Restores a sender from {@link RatchetSender.exportState}; throws `RATCHET_INVALID_STATE` when malformed. */
  static fromState(state: SenderStateV1): RatchetSender {
    const { groupId, chain } = parseChainFields(state)
    return new RatchetSender(groupId, chain)
  }

  /** Number of the last message sent (0 before the first). */
  get counter(): number {
    return this.#counter
  }

  /** Seals `plaintext` as the next message and moves the chain on. */
  encrypt(plaintext: Uint8Array): RatchetMessage {
    assertBytes(plaintext, 'plaintext')
    const chainKey = this.#liveChainKey()
    if (this.#counter >= MAX_COUNTER) {
      throw new WeshError(
        RatchetErrorCode.RATCHET_COUNTER_EXHAUSTED,
        'the sending chain reached its last message',
      )
    }
    const counter = this.#counter + 1
    const { nextChainKey, messageKey } = ratchetStep(chainKey, this.#groupId)
    const ciphertext = seal(messageKey, messageNonce(counter), plaintext)
    erase(chainKey, messageKey)
    this.#chainKey = nextChainKey
    this.#counter = counter
    return { counter, ciphertext }
  }

  /** A copy of the current chain, to share with members (§5 `GroupDeviceChainKeyAdded`). Secret. */
  chain(): ChainState {
    return { chainKey: new Uint8Array(this.#liveChainKey()), counter: this.#counter }
  }

  /** Serialisable state, secrets included: store it encrypted. */
  exportState(): SenderStateV1 {
    return {
      v: STATE_VERSION,
      groupId: encodeKey(this.#groupId),
      chainKey: encodeKey(this.#liveChainKey()),
      counter: this.#counter,
    }
  }

  /** Erases the chain key; the sender cannot be used afterwards. */
  destroy(): void {
    erase(this.#chainKey)
    this.#chainKey = new Uint8Array(0)
  }

  #liveChainKey(): Uint8Array {
    if (this.#chainKey.length === 0) throw destroyed()
    return this.#chainKey
  }
}

export function destroyed(): WeshError {
  return new WeshError(RatchetErrorCode.RATCHET_DESTROYED, 'this ratchet was destroyed and its keys erased')
}

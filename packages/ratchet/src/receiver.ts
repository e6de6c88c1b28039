import {
  CryptoErrorCode,
  NONCE_BYTES,
  WeshError,
  assertBytes,
  assertInteger,
  erase,
  isWeshError,
  open,
  redactSecrets,
} from '@wesh/crypto'
import { StepBuffer, writeMessageNonce } from './chain-key.js'
import {
  CHAIN_KEY_BYTES,
  GROUP_ID_BYTES,
  MAX_COUNTER,
  MAX_SKIP,
  MAX_SKIPPED_KEYS,
  STATE_VERSION,
} from './constants.js'
import { RatchetErrorCode } from './errors.js'
import { destroyed } from './sender.js'
import { SkippedKeys } from './skipped-keys.js'
import {
  type ChainState,
  type ReceiverStateV1,
  decodeKey,
  encodeKey,
  invalidState,
  isCounter,
  parseChainFields,
} from './state.js'
import { summaryOf } from './summary.js'

/** Receiver limits; both default to the named constants. */
export interface ReceiverLimits {
  /** Largest forward gap derived for one message (`MAX_SKIP`). */
  readonly maxSkip?: number
  /** Most skipped keys kept (`MAX_SKIPPED_KEYS`). */
  readonly maxSkippedKeys?: number
}

/** Options of {@link RatchetReceiver.decrypt}. */
export interface DecryptOptions {
  /**
   * Runs on the plaintext before anything is committed; if it throws, the error propagates and the receiver
   * is unchanged, so a message that decrypts but fails a further check (such as the sender's signature)
   * does not spend its key. It must not call `decrypt` on the same receiver (that throws `INVALID_ARGUMENT`).
   */
  readonly check?: (plaintext: Uint8Array) => void
}

/**
 * Reads one device's messages in one group (PROTOCOL.md §3), from the chain that device shared.
 * Every failure leaves the state exactly as it was: keys move only after a ciphertext authenticates.
 */
export class RatchetReceiver {
  readonly #groupId: Uint8Array
  readonly #maxSkip: number
  readonly #skipped: SkippedKeys
  readonly #nonce = new Uint8Array(NONCE_BYTES)
  /** The committed chain key (its message-key half all zero). */
  #keys: StepBuffer
  /** Where the next message's keys are derived; swapped with `#keys` once that message authenticates. */
  #pending: StepBuffer
  #counter: number
  #destroyed = false
  #checking = false

  private constructor(groupId: Uint8Array, chain: ChainState, limits: ReceiverLimits) {
    const { maxSkip = MAX_SKIP, maxSkippedKeys = MAX_SKIPPED_KEYS } = limits
    assertInteger(maxSkip, 'maxSkip', 1, MAX_COUNTER)
    assertInteger(maxSkippedKeys, 'maxSkippedKeys', 0, MAX_COUNTER)
    this.#groupId = new Uint8Array(groupId)
    this.#keys = new StepBuffer(this.#groupId)
    this.#keys.chainKey.set(chain.chainKey)
    this.#pending = new StepBuffer(this.#groupId)
    this.#counter = chain.counter
    this.#maxSkip = maxSkip
    this.#skipped = new SkippedKeys(maxSkippedKeys)
    redactSecrets(this, () => summaryOf('RatchetReceiver', this.#groupId, this.#counter))
  }

  /** A receiver for the chain a sender shared: messages after `chain.counter` can be read. */
  static create(groupId: Uint8Array, chain: ChainState, limits: ReceiverLimits = {}): RatchetReceiver {
    assertBytes(groupId, 'groupId', GROUP_ID_BYTES)
    assertBytes(chain.chainKey, 'chainKey', CHAIN_KEY_BYTES)
    assertInteger(chain.counter, 'counter', 0, MAX_COUNTER)
    return new RatchetReceiver(groupId, chain, limits)
  }

  /** Restores a receiver from {@link RatchetReceiver.exportState}; throws `RATCHET_INVALID_STATE` when malformed. */
  static fromState(state: ReceiverStateV1, limits: ReceiverLimits = {}): RatchetReceiver {
    const { groupId, chain } = parseChainFields(state)
    const skipped: unknown = (state as Partial<ReceiverStateV1>).skipped
    if (!Array.isArray(skipped)) throw invalidState('skipped is not an array')
    const receiver = new RatchetReceiver(groupId, chain, limits)
    erase(chain.chainKey)
    let previous = -1
    for (const entry of skipped as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2) throw invalidState('skipped entry is not a pair')
      const [counter, key] = entry as [unknown, unknown]
      if (!isCounter(counter) || counter <= previous || counter >= chain.counter) {
        throw invalidState('skipped counters must ascend and stay below the chain counter')
      }
      receiver.#skipped.add(counter, decodeKey(key, 'skipped key', CHAIN_KEY_BYTES))
      previous = counter
    }
    return receiver
  }

  /** Number of the newest message read (or the counter the chain was shared at). */
  get counter(): number {
    return this.#counter
  }

  /** How many skipped message keys are kept for late messages. */
  get skippedKeyCount(): number {
    return this.#skipped.size
  }

  /**
   * Opens message number `counter`. Throws `RATCHET_TOO_FAR_AHEAD`, `RATCHET_KEY_UNAVAILABLE` (replayed,
   * consumed, evicted or older than the shared chain) or `RATCHET_AUTH_FAILED`, or what `options.check`
   * throws; the state is then unchanged.
   */
  decrypt(
    counter: number | bigint,
    ciphertext: Uint8Array,
    options: DecryptOptions = NO_OPTIONS,
  ): Uint8Array {
    assertBytes(ciphertext, 'ciphertext')
    this.#assertLive()
    if (this.#checking) {
      // `#pending` and the skipped keys are mid-update while a check runs.
      throw new WeshError(
        CryptoErrorCode.INVALID_ARGUMENT,
        'options.check must not decrypt with its own receiver',
      )
    }
    const n = this.#messageNumber(counter)
    if (n <= this.#counter) return this.#decryptSkipped(n, ciphertext, options)

    // Derive on the side, in `#pending`; commit only once the message authenticates. Each further step of a
    // gap runs in place, after the skipped message key is copied out.
    const pending = this.#pending
    let skipped: [number, Uint8Array][] | undefined
    pending.stepFrom(this.#keys.chainKey)
    for (let i = this.#counter + 1; i < n; i++) {
      skipped ??= []
      skipped.push([i, pending.messageKey.slice()])
      pending.stepFrom(pending.chainKey)
    }
    let plaintext: Uint8Array
    try {
      plaintext = this.#openOrAuthFailed(pending.messageKey, n, ciphertext)
      this.#check(options, plaintext)
    } catch (error) {
      pending.bytes.fill(0)
      if (skipped !== undefined) for (const [, key] of skipped) erase(key)
      throw error
    }
    // Commit: the new chain key becomes current; the spent message key and the old chain key are erased.
    pending.messageKey.fill(0)
    this.#pending = this.#keys
    this.#keys = pending
    this.#pending.bytes.fill(0)
    this.#counter = n
    if (skipped !== undefined) for (const [i, key] of skipped) this.#skipped.add(i, key)
    return plaintext
  }

  /** Serialisable state, secrets included (chain key and skipped keys): store it encrypted. */
  exportState(): ReceiverStateV1 {
    return {
      v: STATE_VERSION,
      groupId: encodeKey(this.#groupId),
      chainKey: encodeKey(this.#liveKeys().chainKey),
      counter: this.#counter,
      skipped: [...this.#skipped.entries()].map(([counter, key]) => [counter, encodeKey(key)] as const),
    }
  }

  /** Erases the chain key and every skipped key; the receiver cannot be used afterwards. */
  destroy(): void {
    erase(this.#keys.bytes, this.#pending.bytes)
    this.#destroyed = true
    this.#skipped.clear()
  }

  /** The message number as a safe integer, refusing gaps beyond `maxSkip` before any derivation. */
  #messageNumber(counter: number | bigint): number {
    if (typeof counter === 'bigint') {
      if (counter < 0n) {
        throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'counter must be a non-negative integer', {
          data: { argument: 'counter' },
        })
      }
      if (counter > BigInt(MAX_COUNTER)) throw this.#tooFarAhead(Number(counter - BigInt(this.#counter)))
      counter = Number(counter)
    }
    assertInteger(counter, 'counter', 0, MAX_COUNTER)
    if (counter - this.#counter > this.#maxSkip) throw this.#tooFarAhead(counter - this.#counter)
    return counter
  }

  #tooFarAhead(gap: number): WeshError {
    return new WeshError(RatchetErrorCode.RATCHET_TOO_FAR_AHEAD, `message is ${gap} ahead of the chain`, {
      data: { gap, max: this.#maxSkip },
    })
  }

  #decryptSkipped(counter: number, ciphertext: Uint8Array, options: DecryptOptions): Uint8Array {
    const key = this.#skipped.get(counter)
    if (key === undefined) {
      throw new WeshError(
        RatchetErrorCode.RATCHET_KEY_UNAVAILABLE,
        `no key for message ${counter}: already read, evicted, or sent before this chain was shared`,
        { data: { counter, chainCounter: this.#counter } },
      )
    }
    const plaintext = this.#openOrAuthFailed(key, counter, ciphertext)
    this.#check(options, plaintext)
    this.#skipped.spend(counter)
    return plaintext
  }

  #openOrAuthFailed(messageKey: Uint8Array, counter: number, ciphertext: Uint8Array): Uint8Array {
    writeMessageNonce(this.#nonce, counter)
    try {
      return open(messageKey, this.#nonce, ciphertext)
    } catch (cause) {
      if (!isWeshError(cause)) throw cause
      throw new WeshError(RatchetErrorCode.RATCHET_AUTH_FAILED, `message ${counter} does not authenticate`, {
        data: { counter },
        cause,
      })
    }
  }

  #check({ check }: DecryptOptions, plaintext: Uint8Array): void {
    if (check === undefined) return
    this.#checking = true
    try {
      check(plaintext)
    } finally {
      this.#checking = false
    }
  }

  #assertLive(): void {
    if (this.#destroyed) throw destroyed()
  }

  #liveKeys(): StepBuffer {
    this.#assertLive()
    return this.#keys
  }
}

const NO_OPTIONS: DecryptOptions = {}

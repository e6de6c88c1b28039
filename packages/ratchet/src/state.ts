import { WeshError, decodeBase64Field, toBase64 } from '@wesh/crypto'
import { CHAIN_KEY_BYTES, GROUP_ID_BYTES, MAX_COUNTER, STATE_VERSION } from './constants.js'
import { RatchetErrorCode } from './errors.js'

/** A chain as shared with other members (PROTOCOL.md §5 `DeviceChainKey`): the next message is `counter + 1`. */
export interface ChainState {
  readonly chainKey: Uint8Array
  readonly counter: number
}

/** Serialised sender: JSON-safe, versioned, and secret (it holds the chain key). */
export interface SenderStateV1 {
  readonly v: 1
  readonly groupId: string
  readonly chainKey: string
  readonly counter: number
}

/** Serialised receiver: JSON-safe, versioned, and secret (chain key and skipped message keys). */
export interface ReceiverStateV1 extends SenderStateV1 {
  /** `[counter, messageKey]` pairs, oldest first. */
  readonly skipped: readonly (readonly [number, string])[]
}

export const encodeKey = toBase64

/** Parses the fields common to both states; throws `RATCHET_INVALID_STATE` on anything unexpected. */
export function parseChainFields(state: unknown): { groupId: Uint8Array; chain: ChainState } {
  if (typeof state !== 'object' || state === null) throw invalidState('state is not an object')
  const { v, groupId, chainKey, counter } = state as Record<string, unknown>
  if (v !== STATE_VERSION) {
    // Not `String(v)`: a crafted object can make that throw (`{ toString: false }`).
    throw invalidState(`unknown state version ${typeof v === 'number' ? v : typeof v}`)
  }
  if (!isCounter(counter)) throw invalidState('counter is not a non-negative safe integer')
  return {
    groupId: decodeKey(groupId, 'groupId', GROUP_ID_BYTES),
    chain: { chainKey: decodeKey(chainKey, 'chainKey', CHAIN_KEY_BYTES), counter },
  }
}

export function decodeKey(value: unknown, field: string, length: number): Uint8Array {
  return decodeBase64Field(value, field, length, invalidState)
}

export function isCounter(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_COUNTER
}

export function invalidState(message: string, cause?: unknown): WeshError {
  return new WeshError(RatchetErrorCode.RATCHET_INVALID_STATE, message, { cause })
}

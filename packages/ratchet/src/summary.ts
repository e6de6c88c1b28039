import { REDACTED, toHex } from '@wesh/crypto'

/** What a sender or receiver shows of itself to `JSON.stringify` and `util.inspect`: never a key. */
export interface RedactedChain {
  readonly kind: string
  readonly groupId: string
  readonly counter: number
  readonly chainKey: typeof REDACTED
}

export function summaryOf(kind: string, groupId: Uint8Array, counter: number): RedactedChain {
  return { kind, groupId: toHex(groupId), counter, chainKey: REDACTED }
}

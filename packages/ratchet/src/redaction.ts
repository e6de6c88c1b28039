import { toHex } from '@wesh/crypto'

// Secrets must never reach logs: `JSON.stringify` and Node's `util.inspect` see only this summary.
// The symbol is Node's documented hook; defining it needs no `node:` import, so browsers are unaffected.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** What a sender or receiver shows of itself: never a key. */
export interface RedactedChain {
  readonly kind: string
  readonly groupId: string
  readonly counter: number
  readonly chainKey: '[redacted]'
}

/** Adds redacting `toJSON` and inspect hooks to `target`. */
export function redactSecrets(target: object, summary: () => RedactedChain): void {
  Object.defineProperty(target, 'toJSON', { value: summary, enumerable: false })
  Object.defineProperty(target, inspectSymbol, { value: summary, enumerable: false })
}

export function summaryOf(kind: string, groupId: Uint8Array, counter: number): RedactedChain {
  return { kind, groupId: toHex(groupId), counter, chainKey: '[redacted]' }
}

// Secrets must never reach logs: `JSON.stringify` and Node's `util.inspect` see only a summary.
// The symbol is Node's documented hook; defining it needs no `node:` import, so browsers are unaffected.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** Adds redacting `toJSON` and inspect hooks to `target`. */
export function redactSecrets(target: object, summary: () => Readonly<Record<string, unknown>>): void {
  Object.defineProperty(target, 'toJSON', { value: summary, enumerable: false })
  Object.defineProperty(target, inspectSymbol, { value: summary, enumerable: false })
}

export const REDACTED = '[redacted]'

// Secrets must never reach logs: `JSON.stringify` and Node's `util.inspect` see only a summary.
// The symbol is Node's documented hook; defining it needs no `node:` import, so browsers are unaffected.
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** What a summary shows in place of a secret. */
export const REDACTED = '[redacted]'

/**
 * Makes `JSON.stringify(target)` and Node's `util.inspect(target)` show `summary()` instead of the object,
 * so that an object holding keys can be logged safely. The summary must itself hold no secret (write
 * {@link REDACTED} in its place). The hooks are non-enumerable: they do not show up as fields.
 */
export function redactSecrets(target: object, summary: () => object): void {
  Object.defineProperty(target, 'toJSON', { value: summary, enumerable: false })
  Object.defineProperty(target, inspectSymbol, { value: summary, enumerable: false })
}

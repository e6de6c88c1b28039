import { inspect } from 'node:util'
import { expect, it } from 'vitest'
import { REDACTED, redactSecrets, toHex } from '../src/index.js'

class KeyHolder {
  readonly #secret: Uint8Array
  readonly publicField = 'visible'
  readonly secretField: Uint8Array

  constructor(secret: Uint8Array) {
    this.#secret = secret
    this.secretField = secret
    redactSecrets(this, () => ({ kind: 'KeyHolder', length: this.#secret.length, secret: REDACTED }))
  }
}

const secret = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i)
const secretHex = toHex(secret)
// Bytes as `util.inspect` prints a Uint8Array, and as JSON prints one.
const inspectedBytes = secret.slice(0, 4).join(', ')
const jsonBytes = `"0":${secret[0]}`

it('JSON.stringify and util.inspect show only the summary, never the secret', () => {
  const holder = new KeyHolder(secret)
  const outputs = [
    JSON.stringify(holder),
    JSON.stringify({ nested: [holder] }),
    inspect(holder),
    inspect(holder, { showHidden: true, depth: Infinity }),
    inspect({ nested: [holder] }, { showHidden: true, depth: Infinity }),
    inspect(new Map([['holder', holder]]), { showHidden: true }),
  ]
  for (const output of outputs) {
    expect(output).not.toContain(secretHex)
    expect(output).not.toContain(inspectedBytes)
    expect(output).not.toContain(jsonBytes)
    expect(output).toContain(REDACTED)
  }
  expect(JSON.parse(JSON.stringify(holder))).toEqual({ kind: 'KeyHolder', length: 32, secret: '[redacted]' })
})

it('adds no enumerable field: the object keeps its own shape', () => {
  const holder = new KeyHolder(secret)
  expect(Object.keys(holder)).toEqual(['publicField', 'secretField'])
  expect(holder.secretField).toBe(secret)
})

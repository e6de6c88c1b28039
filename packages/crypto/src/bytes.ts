import { assertBytes, assertInteger } from './validate.js'
import { CryptoErrorCode, WeshError } from './errors.js'

/** Concatenates byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0
  parts.forEach((part, index) => {
    assertBytes(part, `parts[${index}]`)
    total += part.length
  })
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const MAX_U64 = (1n << 64n) - 1n

/** 8-byte big-endian encoding of an unsigned 64-bit integer (PROTOCOL.md §0 `u64be`). */
export function u64be(value: number | bigint): Uint8Array {
  let big: bigint
  if (typeof value === 'bigint') {
    big = value
  } else {
    assertInteger(value, 'value', 0, Number.MAX_SAFE_INTEGER)
    big = BigInt(value)
  }
  if (big < 0n || big > MAX_U64) {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, 'value must be an unsigned 64-bit integer', {
      data: { argument: 'value', actual: big.toString() },
    })
  }
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, big, false)
  return out
}

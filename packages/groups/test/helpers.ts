import { isWeshError } from '@wesh/crypto'
import { expect } from 'vitest'

/** Runs `fn` and checks it throws a WeshError with `code`. */
export function expectCode(fn: () => unknown, code: string): void {
  let thrown: unknown
  try {
    fn()
  } catch (error) {
    thrown = error
  }
  expect(thrown, `expected ${code}`).toBeDefined()
  expect(isWeshError(thrown) ? thrown.code : thrown).toBe(code)
}

/** fast-check run count: FUZZ_RUNS scales the property tests up. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200)

/** A valid protobuf of exactly `length` bytes: one unknown length-delimited field 15, which decoders skip. */
export function paddedProtobuf(length: number): Uint8Array {
  for (let body = length - 2; body >= 0; body--) {
    const header = [0x7a, ...varint(body)]
    if (header.length + body === length) {
      const out = new Uint8Array(length)
      out.set(header)
      return out
    }
  }
  throw new Error(`cannot pad to ${length}`)
}

function varint(n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import {
  MAX_HKDF_BYTES,
  hkdfSha256,
  hkdfSha256Into,
  hmacSha256,
  nativeBackend,
  pureBackend,
  useCryptoBackend,
} from '../src/index.js'

// Both HMAC/HKDF implementations (allocation-free JavaScript, and Node's one-shot hash) against @noble's, an
// independent implementation, on random inputs of every length around the 64-byte block boundaries.
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000)
const bytes = fc.uint8Array({ maxLength: 200 })
const backends = [pureBackend, ...(nativeBackend ? [nativeBackend] : [])]

describe.each(backends.map((backend) => backend.name))('%s backend', (name) => {
  beforeEach(() => useCryptoBackend(name))
  afterAll(() => useCryptoBackend('auto'))

  it('HMAC-SHA-256 equals @noble/hashes on any key and message', () => {
    fc.assert(
      fc.property(bytes, bytes, (key, message) => {
        expect(hmacSha256(key, message)).toEqual(hmac(sha256, key, message))
      }),
      { numRuns: RUNS },
    )
  })

  it('HKDF-SHA-256 equals @noble/hashes on any ikm, salt, info and length', () => {
    fc.assert(
      fc.property(
        bytes,
        fc.option(bytes, { nil: undefined }),
        bytes,
        fc.integer({ min: 1, max: 300 }),
        (ikm, salt, info, length) => {
          const expected = hkdf(sha256, ikm, salt ?? new Uint8Array(32), info, length)
          const options = salt === undefined ? { info } : { salt, info }
          expect(hkdfSha256(ikm, length, options)).toEqual(expected)
          const out = new Uint8Array(length)
          hkdfSha256Into(ikm, out, options)
          expect(out).toEqual(expected)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('HKDF-SHA-256 of the ratchet step shape (32-byte ikm and info, no salt, 64 out) equals @noble/hashes', () => {
    const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(
      fc.property(key32, key32, fc.boolean(), (ikm, info, explicitSalt) => {
        const expected = hkdf(sha256, ikm, new Uint8Array(32), info, 64)
        const out = new Uint8Array(64)
        hkdfSha256Into(ikm, out, explicitSalt ? { salt: new Uint8Array(32), info } : { info })
        expect(out).toEqual(expected)
        expect(hkdfSha256(ikm, 64, { info })).toEqual(expected)
      }),
      { numRuns: RUNS },
    )
  })

  it('HKDF-SHA-256 of a 32-byte ikm and info (the word-level path) equals @noble/hashes for any salt and length', () => {
    const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
    fc.assert(
      fc.property(
        key32,
        key32,
        fc.option(bytes, { nil: undefined }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        (ikm, info, salt, length, inPlace) => {
          const expected = hkdf(sha256, ikm, salt ?? new Uint8Array(32), info, length)
          const options = salt === undefined ? { info } : { salt, info }
          expect(hkdfSha256(ikm, length, options)).toEqual(expected)
          // In place: `out` starts with the ikm (when it is long enough to hold it).
          const out = new Uint8Array(Math.max(length, inPlace ? 32 : 0)).subarray(0, length)
          const source = inPlace && length >= 32 ? out.subarray(0, 32) : ikm
          source.set(ikm)
          hkdfSha256Into(source, out, options)
          expect(out).toEqual(expected)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('HKDF-SHA-256 into the buffer that holds its ikm (the ratchet steps in place)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), bytes, (ikm, info) => {
        const expected = hkdf(sha256, ikm, new Uint8Array(32), info, ikm.length)
        const buffer = new Uint8Array(ikm)
        hkdfSha256Into(buffer, buffer, { info })
        expect(buffer).toEqual(expected)
        const wide = new Uint8Array(64)
        wide.set(ikm.subarray(0, 32))
        const ikm32 = wide.slice(0, 32)
        hkdfSha256Into(wide.subarray(0, 32), wide, { info })
        expect(wide).toEqual(hkdf(sha256, ikm32, new Uint8Array(32), info, 64))
      }),
      { numRuns: RUNS },
    )
  })

  it('HKDF-SHA-256 into a buffer writes its whole length, at the limit and refuses limit + 1', () => {
    const ikm = new Uint8Array(32).fill(7)
    const out = new Uint8Array(MAX_HKDF_BYTES)
    hkdfSha256Into(ikm, out)
    expect(out).toEqual(hkdf(sha256, ikm, new Uint8Array(32), new Uint8Array(0), MAX_HKDF_BYTES))
    // The same with a 32-byte info, which takes the word-level path through all 255 blocks.
    const info = new Uint8Array(32).fill(9)
    hkdfSha256Into(ikm, out, { info })
    expect(out).toEqual(hkdf(sha256, ikm, new Uint8Array(32), info, MAX_HKDF_BYTES))
    expect(() => hkdfSha256Into(ikm, new Uint8Array(MAX_HKDF_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH', data: expect.objectContaining({ argument: 'out' }) }),
    )
    expect(() => hkdfSha256Into(ikm, new Uint8Array(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH' }),
    )
  })
})

it('HKDF-SHA-256 into a buffer refuses an out that overlaps salt or info, before writing', () => {
  const buffer = new Uint8Array(96).fill(1)
  const ikm = new Uint8Array(32)
  for (const options of [{ info: buffer.subarray(60, 70) }, { salt: buffer.subarray(0, 32) }]) {
    expect(() => hkdfSha256Into(ikm, buffer.subarray(0, 64), options)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', data: { argument: 'out' } }),
    )
  }
  expect(buffer).toEqual(new Uint8Array(96).fill(1))
  // Adjacent is not overlapping.
  hkdfSha256Into(ikm, buffer.subarray(0, 64), { info: buffer.subarray(64) })
})

import { hkdf } from '@noble/hashes/hkdf.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { hkdfSha256, hmacSha256 } from '../src/index.js'

// Our allocation-free HMAC/HKDF against @noble's, an independent implementation, on random inputs of
// every length around the 64-byte block boundaries.
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_000)
const bytes = fc.uint8Array({ maxLength: 200 })

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
        expect(hkdfSha256(ikm, length, salt === undefined ? { info } : { salt, info })).toEqual(expected)
      },
    ),
    { numRuns: RUNS },
  )
})

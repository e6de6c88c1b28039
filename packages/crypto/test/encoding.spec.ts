import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CryptoErrorCode,
  bytesToUtf8,
  decodeBase64Field,
  fromBase64,
  fromBase64Url,
  fromHex,
  toBase64,
  toBase64Url,
  toHex,
  utf8ToBytes,
} from '../src/index.js'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2_000)
const invalid = expect.objectContaining({ code: CryptoErrorCode.INVALID_ENCODING })

describe('codecs', () => {
  it('match RFC 4648 §10 test vectors', () => {
    const cases = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar']
    const expected = ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy']
    cases.forEach((text, i) => {
      expect(toBase64(utf8ToBytes(text))).toBe(expected[i])
      expect(bytesToUtf8(fromBase64(expected[i]!))).toBe(text)
      expect(toBase64Url(utf8ToBytes(text))).toBe(expected[i]!.replace(/=+$/, ''))
    })
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=')
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8')
  })

  it('round-trip any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes)
        expect(fromBase64(toBase64(bytes))).toEqual(bytes)
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes)
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('refuse malformed text with INVALID_ENCODING and never throw anything else', () => {
    for (const bad of ['Zg', 'Zg=', 'Z===', 'Zh==', 'Zm9v!', ' Zm9v', 'Zm9v\n'])
      expect(() => fromBase64(bad)).toThrow(invalid)
    for (const bad of ['Z', 'Zh', '+/8', 'Zg=']) expect(() => fromBase64Url(bad)).toThrow(invalid)
    for (const bad of ['0', 'zz', '0g']) expect(() => fromHex(bad)).toThrow(invalid)
    expect(() => bytesToUtf8(new Uint8Array([0xc3]))).toThrow(invalid)
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (text) => {
        for (const decode of [fromBase64, fromBase64Url, fromHex]) {
          try {
            decode(text)
          } catch (error) {
            expect(error).toEqual(invalid)
          }
        }
      }),
      { numRuns: FUZZ_RUNS },
    )
  })

  it('decode each byte string from exactly one text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), (bytes, at) => {
        const text = toBase64Url(bytes)
        if (text.length === 0) return
        const i = at % text.length
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
        for (const other of alphabet) {
          const altered = text.slice(0, i) + other + text.slice(i + 1)
          if (altered === text) continue
          try {
            expect(fromBase64Url(altered)).not.toEqual(bytes)
          } catch (error) {
            expect(error).toEqual(invalid)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('decodeBase64Field', () => {
  const invalid = (message: string) => new Error(`state: ${message}`)
  it('decodes a base64 field of the given length and reports anything else through the callback', () => {
    expect(decodeBase64Field('AAECAw==', 'key', 4, invalid)).toEqual(new Uint8Array([0, 1, 2, 3]))
    expect(() => decodeBase64Field(7, 'key', 4, invalid)).toThrow('state: key is not a string')
    expect(() => decodeBase64Field('AAE', 'key', 4, invalid)).toThrow('state: key is not base64')
    expect(() => decodeBase64Field('AAECAw==', 'key', 5, invalid)).toThrow('state: key is not 5 bytes')
  })
})

import { describe, expect, it } from 'vitest'
import {
  CryptoErrorCode,
  WeshError,
  assertBytes,
  assertInteger,
  concatBytes,
  constantTimeEqual,
  erase,
  hkdfSha256,
  isWeshError,
  MAX_HKDF_BYTES,
  open,
  randomBytes,
  seal,
  sign,
  u64be,
  verify,
  verifyAsync,
} from '../src/index.js'

function thrown(fn: () => unknown): WeshError {
  try {
    fn()
  } catch (error) {
    if (error instanceof WeshError) return error
    throw error
  }
  throw new Error('expected a WeshError')
}

describe('WeshError', () => {
  it('carries a stable code, data and cause', () => {
    const cause = new Error('inner')
    const error = new WeshError('SOME_CODE', 'text', { data: { gap: 3 }, cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('WeshError')
    expect(error.code).toBe('SOME_CODE')
    expect(error.data).toEqual({ gap: 3 })
    expect(error.cause).toBe(cause)
    expect(isWeshError(error, 'SOME_CODE')).toBe(true)
    expect(isWeshError(error, 'OTHER')).toBe(false)
    expect(isWeshError(new Error('x'))).toBe(false)
  })
})

describe('argument validation', () => {
  it('names the argument that is not bytes', () => {
    const error = thrown(() => sign('seed' as unknown as Uint8Array, new Uint8Array()))
    expect(error.code).toBe(CryptoErrorCode.INVALID_ARGUMENT)
    expect(error.data).toMatchObject({ argument: 'seed', actual: 'string' })
  })

  it('names the argument with the wrong length, with expected and actual', () => {
    const error = thrown(() => sign(new Uint8Array(31), new Uint8Array()))
    expect(error.code).toBe(CryptoErrorCode.INVALID_LENGTH)
    expect(error.data).toEqual({ argument: 'seed', expected: '32', actual: 31 })
    expect(thrown(() => verify(new Uint8Array(32), new Uint8Array(), new Uint8Array(65))).data).toMatchObject(
      {
        argument: 'signature',
      },
    )
    expect(thrown(() => verifyAsync(new Uint8Array(31), new Uint8Array(), new Uint8Array(64))).data).toEqual({
      argument: 'publicKey',
      expected: '32',
      actual: 31,
    })
  })

  it('accepts lengths inside a range and refuses them outside', () => {
    expect(() => assertBytes(new Uint8Array(2), 'x', { min: 1, max: 2 })).not.toThrow()
    expect(thrown(() => assertBytes(new Uint8Array(3), 'x', { min: 1, max: 2 })).code).toBe('INVALID_LENGTH')
    expect(thrown(() => assertBytes(new Uint8Array(0), 'x', { min: 1 })).code).toBe('INVALID_LENGTH')
  })

  it('refuses non-integers and out-of-range integers', () => {
    for (const bad of [1.5, -1, Number.NaN, '3', 11]) {
      expect(thrown(() => assertInteger(bad, 'n', 0, 10)).code).toBe(CryptoErrorCode.INVALID_ARGUMENT)
    }
  })

  it('bounds HKDF output at 255 hash blocks', () => {
    expect(hkdfSha256(new Uint8Array(32), MAX_HKDF_BYTES)).toHaveLength(MAX_HKDF_BYTES)
    expect(thrown(() => hkdfSha256(new Uint8Array(32), MAX_HKDF_BYTES + 1)).data).toMatchObject({
      argument: 'length',
    })
  })
})

describe('secretbox', () => {
  const key = randomBytes(32)
  const nonce = randomBytes(24)
  const sealed = seal(key, nonce, new Uint8Array([1, 2, 3, 4, 5]))

  it('refuses every single-bit flip with DECRYPTION_FAILED', () => {
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const forged = new Uint8Array(sealed)
      forged[bit >> 3]! ^= 1 << (bit & 7)
      expect(thrown(() => open(key, nonce, forged)).code).toBe(CryptoErrorCode.DECRYPTION_FAILED)
    }
  })

  it('refuses a truncated box, a wrong key and a wrong nonce', () => {
    expect(thrown(() => open(key, nonce, sealed.subarray(0, 15))).code).toBe(CryptoErrorCode.INVALID_LENGTH)
    expect(thrown(() => open(key, nonce, sealed.subarray(0, 17))).code).toBe(
      CryptoErrorCode.DECRYPTION_FAILED,
    )
    expect(thrown(() => open(randomBytes(32), nonce, sealed)).code).toBe(CryptoErrorCode.DECRYPTION_FAILED)
    expect(thrown(() => open(key, randomBytes(24), sealed)).code).toBe(CryptoErrorCode.DECRYPTION_FAILED)
  })
})

describe('bytes helpers', () => {
  it('compares in constant time and by length', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false)
  })

  it('encodes u64 big-endian up to 2^64 - 1 and not beyond', () => {
    expect(u64be(1)).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]))
    expect(u64be(0x0102030405n)).toEqual(new Uint8Array([0, 0, 0, 1, 2, 3, 4, 5]))
    expect(u64be((1n << 64n) - 1n)).toEqual(new Uint8Array(8).fill(255))
    expect(thrown(() => u64be(1n << 64n)).code).toBe(CryptoErrorCode.INVALID_ARGUMENT)
    expect(thrown(() => u64be(-1)).code).toBe(CryptoErrorCode.INVALID_ARGUMENT)
  })

  it('concatenates and erases', () => {
    const a = new Uint8Array([1, 2])
    const joined = concatBytes(a, new Uint8Array([3]))
    expect(joined).toEqual(new Uint8Array([1, 2, 3]))
    erase(a, joined, undefined)
    expect(a).toEqual(new Uint8Array(2))
    expect(joined).toEqual(new Uint8Array(3))
  })
})

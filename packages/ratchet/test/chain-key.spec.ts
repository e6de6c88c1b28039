import { CryptoErrorCode, toHex } from '@wesh/crypto'
import { expect, it } from 'vitest'
import { messageNonce, ratchetStep } from '../src/index.js'

it('lays the nonce out as u64be(counter) followed by sixteen zero bytes, for every counter size', () => {
  const zeros = '00'.repeat(16)
  expect(toHex(messageNonce(0))).toBe('0000000000000000' + zeros)
  expect(toHex(messageNonce(0x01020304))).toBe('0000000001020304' + zeros)
  expect(toHex(messageNonce(2 ** 40 + 5))).toBe('0000010000000005' + zeros)
  expect(toHex(messageNonce(Number.MAX_SAFE_INTEGER))).toBe('001fffffffffffff' + zeros)
  expect(toHex(messageNonce(2n ** 64n - 1n))).toBe('ffffffffffffffff' + zeros)
})

it('refuses counters that are not unsigned 64-bit integers', () => {
  for (const bad of [-1, 1.5, 2 ** 53, -1n, 2n ** 64n]) {
    expect(() => messageNonce(bad)).toThrow(
      expect.objectContaining({ code: CryptoErrorCode.INVALID_ARGUMENT }),
    )
  }
})

it('validates the chain key and group ID lengths', () => {
  expect(() => ratchetStep(new Uint8Array(31), new Uint8Array(32))).toThrow(
    expect.objectContaining({
      code: CryptoErrorCode.INVALID_LENGTH,
      data: expect.objectContaining({ argument: 'chainKey' }),
    }),
  )
  expect(() => ratchetStep(new Uint8Array(32), new Uint8Array(33))).toThrow(
    expect.objectContaining({
      code: CryptoErrorCode.INVALID_LENGTH,
      data: expect.objectContaining({ argument: 'groupId' }),
    }),
  )
})
